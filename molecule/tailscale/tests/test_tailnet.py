"""A real tailnet: Headscale (embedded DERP only), the hub host and a member's laptop.
Everything is checked from the laptop over the hub's tailnet address, and from the
runs of the role itself."""

import ipaddress
import json
import subprocess

import pytest
import testinfra
from conftest import tailscale_status
from teamhub_testing import extra_vars, run_playbook

testinfra_hosts = ["ansible://teamhub-ts-client"]

NETWORK = "teamhub-ts-net"


def node(name):
    return testinfra.get_host(f"docker://{name}")


@pytest.fixture(scope="module")
def hub():
    return node("teamhub-ts-hub")


@pytest.fixture(scope="module")
def hub_ip(hub):
    ips = [ip for ip in tailscale_status(hub)["Self"]["TailscaleIPs"] if "." in ip]
    assert ips, "the hub host has no tailnet IPv4 address"
    return ips[0]


def test_both_nodes_joined_headscale(host, hub):
    headscale = node("teamhub-ts-headscale")
    nodes = json.loads(headscale.check_output("headscale nodes list -o json"))
    names = {n["given_name"]: n for n in nodes}
    assert {"ts-hub", "ts-client"} <= set(names), names.keys()
    for name in ("ts-hub", "ts-client"):
        assert names[name]["online"], f"{name} is not online in Headscale"
    for h in (host, hub):
        status = tailscale_status(h)
        assert status["BackendState"] == "Running"
        assert status["Self"]["Online"]
        assert status["Self"]["DNSName"].endswith(".tailnet.teamhub.test.")


def test_tun_device_is_used(host, hub):
    for h in (host, hub):
        assert h.interface("tailscale0").exists


def test_web_service_answers_over_the_tailnet(host, hub_ip):
    # The hub host's web service (python3 -m http.server standing in for JupyterHub).
    code = host.check_output(
        "python3 -c \"import urllib.request as u; print(u.urlopen('http://%s:8000/', timeout=20).status)\"",
        hub_ip)
    assert code == "200"


def test_tailscale_serve_publishes_the_hub_port(host, hub, hub_ip):
    serve = json.loads(hub.check_output("tailscale serve status --json"))
    assert "80" in {str(p) for p in serve.get("TCP", {})}
    # tailscale serve answers by the node's MagicDNS name (the laptop keeps Docker's
    # resolver here, so the name goes in the Host header).
    name = tailscale_status(hub)["Self"]["DNSName"].rstrip(".")
    body = host.check_output(
        "python3 -c \"import urllib.request as u; "
        "print(u.urlopen(u.Request('http://%s/', headers={'Host': '%s'}), timeout=20).read().decode())\"",
        hub_ip, name)
    assert "teamhub over the tailnet" in body


def test_member_logs_in_over_ssh_through_the_tailnet(host, hub_ip):
    result = host.run(
        "ssh -i /root/alice.key -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=no "
        "-o UserKnownHostsFile=/dev/null -o ConnectTimeout=20 -o LogLevel=ERROR alice@%s "
        "'id -un; echo $SSH_CONNECTION'", hub_ip)
    assert result.rc == 0, result.stderr
    user, connection = result.stdout.splitlines()
    assert user == "alice"
    client_ip, _client_port, server_ip, _server_port = connection.split()
    assert server_ip == hub_ip
    assert client_ip.startswith("100."), "the connection did not come through the tailnet"


def test_daemons_do_not_upload_logs_or_check_updates(host, hub):
    for h in (host, hub):
        defaults = h.file("/etc/default/tailscaled").content_string
        assert "--no-logs-no-support" in defaults
        assert "TS_NO_LOGS_NO_SUPPORT=true" in defaults
        assert "--no-logs-no-support" in h.check_output(
            "tr '\\0' ' ' < /proc/$(systemctl show -p MainPID --value tailscaled)/cmdline")
        prefs = json.loads(h.check_output("tailscale debug prefs"))
        assert prefs["AutoUpdate"]["Check"] is False


def test_only_the_embedded_derp_region_is_known(host):
    derp = json.loads(host.check_output("tailscale debug derp-map"))
    assert list(derp["Regions"]) == ["999"]
    assert [n["HostName"] for n in derp["Regions"]["999"]["Nodes"]] == ["teamhub-ts-headscale"]


def test_tailscaled_talks_only_inside_the_scenario_network(host, hub):
    inspect = subprocess.run(["docker", "network", "inspect", NETWORK], capture_output=True, text=True,
                             check=True)
    allowed = [ipaddress.ip_network(c["Subnet"]) for c in json.loads(inspect.stdout)[0]["IPAM"]["Config"]]
    allowed += [ipaddress.ip_network(n) for n in ("127.0.0.0/8", "::1/128", "100.64.0.0/10", "fd7a:115c:a1e0::/48")]
    for h in (host, hub):
        out = h.check_output("ss -Htnp state established")
        peers = [line.split()[3] for line in out.splitlines() if "tailscaled" in line]
        assert peers, "tailscaled holds no TCP connection (to Headscale)"
        for peer in peers:
            addr = ipaddress.ip_address(peer.rsplit(":", 1)[0].strip("[]").split("%")[0])
            if addr.version == 6 and addr.ipv4_mapped:
                addr = addr.ipv4_mapped
            assert any(addr in net for net in allowed), f"{h.backend.get_hostname()}: tailscaled talks to {peer}"


def test_facts_give_the_hub_address(hub, hub_ip):
    rc, output, _recap = run_playbook("converge.yml", "--limit", "teamhub-ts-hub", "--check")
    assert rc == 0, output
    assert hub_ip in output
    assert "ts-hub.tailnet.teamhub.test" in output


def test_check_mode_on_the_converged_tailnet_changes_nothing(check_run):
    rc, output, recap = check_run
    assert rc == 0, output
    for name in ("teamhub-ts-hub", "teamhub-ts-client"):
        assert recap[name]["changed"] == 0, output


def test_rerun_needs_no_auth_key_and_does_not_run_up(keyless_run):
    rc, output, recap = keyless_run
    assert rc == 0, output
    for name in ("teamhub-ts-hub", "teamhub-ts-client"):
        assert recap[name]["changed"] == 0, output
    assert "Bring the node up in the tailnet" in output
    assert "changed: [teamhub-ts-client]" not in output.split("Bring the node up in the tailnet")[1].split("TASK")[0]


def test_new_hostname_runs_up_again_without_auth_key(host):
    args = ("--limit", "teamhub-ts-client")
    rc, output, recap = run_playbook(
        "converge.yml", *args, *extra_vars({"tailscale_hostname": "ts-laptop", "tailscale_authkey": ""}))
    assert rc == 0, output
    up = output.split("Bring the node up in the tailnet")[1].split("TASK")[0]
    assert "changed: [teamhub-ts-client]" in up
    assert tailscale_status(host)["Self"]["HostName"] == "ts-laptop"
    rc, output, recap = run_playbook("converge.yml", *args, *extra_vars({"tailscale_hostname": "ts-laptop"}))
    assert rc == 0, output
    assert recap["teamhub-ts-client"]["changed"] == 0, output
    # Back to the inventory's name.
    rc, output, recap = run_playbook("converge.yml", *args)
    assert rc == 0, output
    assert tailscale_status(host)["Self"]["HostName"] == "ts-client"


def test_auth_key_never_appears_in_output(keyless_run):
    import os
    from pathlib import Path

    key = (Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "authkey").read_text().strip()
    rc, output, _recap = run_playbook("converge.yml", "--limit", "teamhub-ts-client", "-vvv",
                                      *extra_vars({"tailscale_hostname": "ts-verbose"}))
    assert rc == 0, output
    assert key not in output
    rc, output, _recap = run_playbook("converge.yml", "--limit", "teamhub-ts-client")
    assert rc == 0, output
