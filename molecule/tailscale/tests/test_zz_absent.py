"""Last: the member's laptop leaves the tailnet (tailscale_state: absent), then comes
back through the third install path, the static tarball on the controller."""

import json
import time

import testinfra
from conftest import fixtures, hub_login, served_hub, tailscale_status
from teamhub_testing import extra_vars, run_playbook

testinfra_hosts = ["ansible://teamhub-ts-client"]


def task_result(output, task):
    """The lines Ansible printed for one task (from its TASK header to the next one)."""
    assert task in output, f"task {task!r} did not run"
    return output.split(task, 1)[1].split("TASK", 1)[0]


def test_absent_logs_out_and_removes_the_service(host):
    args = ("tailnet.yml", "--limit", "teamhub-ts-client", *extra_vars({"tailscale_state": "absent"}))
    rc, output, recap = run_playbook(*args)
    assert rc == 0, output
    assert "changed: [teamhub-ts-client]" in task_result(output, "Log the node out of the tailnet")
    assert not host.file("/usr/sbin/tailscaled").exists
    assert not host.file("/usr/bin/tailscale").exists
    assert not host.file("/opt/tailscale").exists
    assert not host.file("/var/lib/tailscale").exists
    assert not host.file("/etc/systemd/system/tailscaled.service").exists
    assert host.run("systemctl cat tailscaled.service").rc != 0
    assert not host.interface("tailscale0").exists
    # Headscale saw the logout: the node's key is expired and the node offline.
    # Headscale notices the closed session by itself: on a loaded machine that can take a
    # few seconds, so the test looks for up to 60 s.
    headscale = testinfra.get_host("docker://teamhub-ts-headscale")
    deadline = time.monotonic() + 60
    while True:
        nodes = {n["given_name"]: n for n in json.loads(headscale.check_output("headscale nodes list -o json"))}
        client = [n for name, n in nodes.items() if name.startswith("ts-") and name != "ts-hub"]
        if (client and not any(n.get("online") for n in client)) or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert client and not any(n.get("online") for n in client), nodes
    # A second absent run has nothing left to do.
    rc, output, recap = run_playbook(*args)
    assert rc == 0, output
    assert recap["teamhub-ts-client"]["changed"] == 0, output


def test_logged_out_node_needs_an_auth_key_again(host):
    # Installed again, from the tarball on the controller (air-gapped path), but a
    # logged-out node cannot come up without a key: the role says so and stops.
    rc, output, _recap = run_playbook(
        "tailnet.yml", "--limit", "teamhub-ts-client",
        *extra_vars({"tailscale_static_src": fixtures()["tailscale_tarball"], "tailscale_authkey": ""}))
    assert rc != 0, output
    assert "changed: [teamhub-ts-client]" in task_result(output, "Unpack the static tarball from the controller")
    assert "set tailscale_authkey" in output
    assert tailscale_status(host)["BackendState"] == "NeedsLogin"


def test_reinstall_from_the_controller_tarball_and_rejoin(host):
    tarball = fixtures()["tailscale_tarball"]
    name = tarball.rsplit("/", 1)[1][:-4]
    rc, output, recap = run_playbook("tailnet.yml", "--limit", "teamhub-ts-client",
                                     *extra_vars({"tailscale_static_src": tarball}))
    assert rc == 0, output
    assert "skipping: [teamhub-ts-client]" in task_result(output, "Download the static tarball")
    assert "changed: [teamhub-ts-client]" in task_result(output, "Run \"tailscale up\"")
    # Nothing was downloaded: the release came from the controller.
    assert not host.file(f"/opt/tailscale/{name}.tgz").exists
    assert host.file("/usr/sbin/tailscaled").linked_to == f"/opt/tailscale/{name}/tailscaled"
    status = tailscale_status(host)
    assert status["BackendState"] == "Running"
    assert status["Self"]["HostName"] == "ts-client"
    # Back in the tailnet: the hub answers over its tailnet address again.
    hub = testinfra.get_host("docker://teamhub-ts-hub")
    base, name = served_hub(hub)
    assert hub_login(base, host_header=name)["login"] == 302
    rc, output, recap = run_playbook("tailnet.yml", "--limit", "teamhub-ts-client",
                                     *extra_vars({"tailscale_static_src": tarball, "tailscale_authkey": ""}))
    assert rc == 0, output
    assert recap["teamhub-ts-client"]["changed"] == 0, output
