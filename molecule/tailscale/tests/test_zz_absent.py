"""tailscale_state: absent, last: the member's laptop leaves the tailnet."""

import json

import testinfra
from teamhub_testing import extra_vars, run_playbook

testinfra_hosts = ["ansible://teamhub-ts-client"]


def test_absent_logs_out_and_removes_the_service(host):
    args = ("converge.yml", "--limit", "teamhub-ts-client", *extra_vars({"tailscale_state": "absent"}))
    rc, output, recap = run_playbook(*args)
    assert rc == 0, output
    assert "Log the node out of the tailnet" in output
    assert "changed: [teamhub-ts-client]" in output.split("Log the node out of the tailnet")[1].split("TASK")[0]
    assert not host.file("/usr/sbin/tailscaled").exists
    assert not host.file("/usr/bin/tailscale").exists
    assert not host.file("/var/lib/tailscale").exists
    assert not host.file("/etc/systemd/system/tailscaled.service").exists
    assert host.run("systemctl cat tailscaled.service").rc != 0
    assert not host.interface("tailscale0").exists
    # Headscale saw the logout: the node's key is expired and the node offline.
    headscale = testinfra.get_host("docker://teamhub-ts-headscale")
    nodes = {n["given_name"]: n for n in json.loads(headscale.check_output("headscale nodes list -o json"))}
    client = [n for name, n in nodes.items() if name.startswith("ts-") and name != "ts-hub"]
    assert client and not any(n.get("online") for n in client), nodes
    # A second absent run has nothing left to do.
    rc, output, recap = run_playbook(*args)
    assert rc == 0, output
    assert recap["teamhub-ts-client"]["changed"] == 0, output
