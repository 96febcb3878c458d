"""A real tailnet: Headscale (embedded DERP only), the hub host and a member's laptop.
Everything is checked from the laptop over the hub's tailnet address, and from the
runs of the role itself. The hub listens on loopback only (the role's default); members
reach it through "tailscale serve" by the node's MagicDNS name."""

import ipaddress
import json
import re
import subprocess
import time

import pytest
import testinfra
from conftest import fixtures, hub_login, served_hub, tailscale_status
from teamhub_testing import extra_vars, listening_ports, run_playbook

testinfra_hosts = ["ansible://teamhub-ts-client"]

NETWORK = "teamhub-ts-net"
CLIENT_NAME = "teamhub-ts-client"
# Every distinct command line of the laptop's processes, sampled every 5 milliseconds
# (as any local user could) until /tmp/teamhub-stop appears; then /tmp/teamhub-cmdlines.
CMDLINE_SAMPLER = """
import os, time
seen = set()
while not os.path.exists("/tmp/teamhub-stop"):
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as handle:
                    seen.add(handle.read().replace(b"\\0", b" ").decode(errors="replace").strip())
            except OSError:
                pass
    time.sleep(0.005)
with open("/tmp/teamhub-cmdlines", "w") as out:
    out.write("\\n".join(sorted(seen)) + "\\n")
"""


def node(name):
    return testinfra.get_host(f"docker://{name}")


def network_address(container):
    """A container's IPv4 address on the scenario network."""
    inspect = subprocess.run(["docker", "inspect", container], capture_output=True, text=True, check=True)
    return json.loads(inspect.stdout)[0]["NetworkSettings"]["Networks"][NETWORK]["IPAddress"]


@pytest.fixture(scope="module")
def hub():
    return node("teamhub-ts-hub")


@pytest.fixture(scope="module")
def hub_ip(hub):
    ips = [ip for ip in tailscale_status(hub)["Self"]["TailscaleIPs"] if "." in ip]
    assert ips, "the hub host has no tailnet IPv4 address"
    return ips[0]


@pytest.fixture(scope="module")
def hub_served(hub):
    return served_hub(hub)


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


MIRROR = "http://teamhub-ts-headscale:8080"


def test_hub_host_installed_the_package_from_the_signed_mirror(hub):
    version = fixtures()["tailscale_version"]
    assert MIRROR + "/apt bookworm main" in hub.file("/etc/apt/sources.list.d/tailscale.list").content_string
    assert hub.check_output("dpkg-query -W -f '${Status} ${Version}' tailscale") == f"install ok installed {version}"
    assert MIRROR + "/apt bookworm/main" in hub.check_output("apt-cache policy tailscale")
    # The package's own unit runs tailscaled; the static path's unit is not there.
    unit = hub.check_output("systemctl show -p FragmentPath --value tailscaled")
    assert unit.endswith("/lib/systemd/system/tailscaled.service"), unit
    assert not hub.file("/etc/systemd/system/tailscaled.service").exists
    # apt checks the repository's signature against the key the role installed.
    mirror_key = node("teamhub-ts-headscale").file("/srv/teamhub-ts-mirror/apt/teamhub-ts-archive-keyring.gpg")
    assert hub.file("/usr/share/keyrings/tailscale-archive-keyring.gpg").sha256sum == mirror_key.sha256sum
    update = hub.run("apt-get update")
    assert update.rc == 0, update.stdout + update.stderr
    assert "teamhub-ts-headscale" not in update.stderr, update.stderr


def test_laptop_downloaded_the_static_tarball_from_the_mirror(host):
    tarball = fixtures()["tailscale_tarball"]
    name = tarball.rsplit("/", 1)[1]
    downloaded = host.file(f"/opt/tailscale/{name}")
    assert downloaded.exists
    expected = subprocess.run(["sha256sum", tarball], capture_output=True, text=True, check=True).stdout.split()[0]
    assert downloaded.sha256sum == expected
    assert host.file("/usr/sbin/tailscaled").linked_to == f"/opt/tailscale/{name[:-4]}/tailscaled"


def test_mirror_served_both_install_paths():
    log = node("teamhub-ts-headscale").check_output("journalctl -u teamhub-ts-mirror --no-pager -o cat")
    name = fixtures()["tailscale_tarball"].rsplit("/", 1)[1]
    version = fixtures()["tailscale_version"]
    for container, path in (("teamhub-ts-client", f"/static/{name}"),
                            ("teamhub-ts-hub", "/apt/teamhub-ts-archive-keyring.gpg"),
                            ("teamhub-ts-hub", "/apt/dists/bookworm/InRelease"),
                            ("teamhub-ts-hub", f"/apt/pool/main/t/tailscale/tailscale_{version}_amd64.deb")):
        address = network_address(container)
        assert any(line.startswith(address) and f'"GET {path} HTTP/1.1" 200' in line for line in log.splitlines()), \
            f"{path} was not served to {address}"


def test_tun_device_is_used(host, hub):
    for h in (host, hub):
        assert h.interface("tailscale0").exists


def test_hub_login_page_answers_over_the_tailnet(hub_served):
    base, name = hub_served
    page = hub_login(base, password="", host_header=name)
    assert page["status"] == 200
    assert "<form" in page["body"] and 'action="/hub/login' in page["body"], page["body"][:500]
    for field in ('name="username"', 'name="password"', 'name="_xsrf"'):
        assert field in page["body"], f"the login form has no {field}"


def test_member_logs_in_to_the_hub_over_the_tailnet(hub_served):
    # PAM login with the member's password, through the form, over WireGuard.
    base, name = hub_served
    good = hub_login(base, host_header=name)
    assert good["login"] == 302, good
    assert "jupyterhub-hub-login" in good["cookies"], good["cookies"]
    bad = hub_login(base, password="not-alice-password", host_header=name)
    assert bad["login"] == 403, bad["login"]
    assert "jupyterhub-hub-login" not in bad["cookies"]


def test_tailscale_serve_publishes_the_hub(hub):
    serve = json.loads(hub.check_output("tailscale serve status --json"))
    assert "80" in {str(p) for p in serve.get("TCP", {})}
    proxies = [handler.get("Proxy") for web in serve.get("Web", {}).values()
               for handler in web.get("Handlers", {}).values()]
    assert proxies == ["http://127.0.0.1:8000"], serve


def test_the_hub_listens_on_loopback_only_and_serve_leaves_no_plain_listener(hub, hub_ip):
    # Plain HTTP never leaves the hub host except inside the tailnet (tailscale serve).
    assert listening_ports(hub, (8000, 8001, 8081)) == {("127.0.0.1", 8000), ("127.0.0.1", 8001), ("127.0.0.1", 8081)}
    # Nothing answers on the hub port from the laptop: not over the tailnet address,
    # not over the Docker network (the LAN here).
    for address in (hub_ip, network_address("teamhub-ts-hub")):
        probe = subprocess.run(
            ["docker", "exec", "teamhub-ts-client", "python3", "-c",
             "import socket, sys; socket.create_connection((sys.argv[1], 8000), timeout=10)", address],
            capture_output=True, text=True, timeout=60, check=False)
        assert probe.returncode != 0 and "refused" in probe.stderr.lower(), (address, probe.stdout, probe.stderr)


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


def test_facts_give_the_hub_address(hub_ip, keyless_run):
    # The play prints tailscale_ipv4 and tailscale_dns_name, as site.yml does for the hub's URL.
    rc, output, _recap = keyless_run
    assert rc == 0, output
    assert f"teamhub-ts-hub: {hub_ip} " in output
    assert "ts-hub.tailnet.teamhub.test" in output


def test_check_mode_on_the_converged_tailnet_changes_nothing(check_run):
    # tailnet.yml: the tailnet play of converge.yml (the whole of it is the idempotence step).
    rc, output, recap = check_run
    assert rc == 0, output
    for name in ("teamhub-ts-hub", "teamhub-ts-client"):
        assert recap[name]["changed"] == 0, output


def test_rerun_needs_no_auth_key_and_does_not_run_up(keyless_run):
    rc, output, recap = keyless_run
    assert rc == 0, output
    for name in ("teamhub-ts-hub", "teamhub-ts-client"):
        assert recap[name]["changed"] == 0, output
    assert "Run \"tailscale up\"" in output
    assert "changed: [teamhub-ts-client]" not in output.split("Run \"tailscale up\"")[1].split("TASK")[0]


def node_hostname(host, expected, timeout=30):
    # The name in the status comes back from Headscale with the next network map, which can
    # arrive a moment after "tailscale up" returns: wait for it, then give what is there.
    deadline = time.monotonic() + timeout
    name = tailscale_status(host)["Self"]["HostName"]
    while name != expected and time.monotonic() < deadline:
        time.sleep(1)
        name = tailscale_status(host)["Self"]["HostName"]
    return name


def test_new_hostname_runs_up_again_without_auth_key(host):
    args = ("--limit", "teamhub-ts-client")
    rc, output, recap = run_playbook(
        "tailnet.yml", *args, *extra_vars({"tailscale_hostname": "ts-laptop", "tailscale_authkey": ""}))
    assert rc == 0, output
    up = output.split("Run \"tailscale up\"")[1].split("TASK")[0]
    assert "changed: [teamhub-ts-client]" in up
    assert node_hostname(host, "ts-laptop") == "ts-laptop"
    rc, output, recap = run_playbook("tailnet.yml", *args, *extra_vars({"tailscale_hostname": "ts-laptop"}))
    assert rc == 0, output
    assert recap["teamhub-ts-client"]["changed"] == 0, output
    # Back to the inventory's name.
    rc, output, recap = run_playbook("tailnet.yml", *args)
    assert rc == 0, output
    assert node_hostname(host, "ts-client") == "ts-client"


def test_auth_key_never_appears_in_output(keyless_run):
    import os
    from pathlib import Path

    key = (Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "authkey").read_text().strip()
    # While the run brings the node up again (a new hostname), every process's command
    # line on the laptop is sampled from inside it, as any local user could.
    subprocess.run(["docker", "exec", CLIENT_NAME, "rm", "-f", "/tmp/teamhub-stop", "/tmp/teamhub-cmdlines"],
                   check=True, timeout=60)
    subprocess.run(["docker", "exec", "-d", CLIENT_NAME, "python3", "-c", CMDLINE_SAMPLER], check=True, timeout=60)
    try:
        rc, output, _recap = run_playbook("tailnet.yml", "--limit", "teamhub-ts-client", "-vvv", "--diff",
                                          *extra_vars({"tailscale_hostname": "ts-verbose"}))
    finally:
        subprocess.run(["docker", "exec", CLIENT_NAME, "touch", "/tmp/teamhub-stop"], check=True, timeout=60)
    deadline = time.monotonic() + 60  # the sampler writes what it saw once it stops
    while not node(CLIENT_NAME).file("/tmp/teamhub-cmdlines").exists and time.monotonic() < deadline:
        time.sleep(1)
    assert rc == 0, output
    assert key not in output
    seen = subprocess.run(["docker", "exec", CLIENT_NAME, "cat", "/tmp/teamhub-cmdlines"],
                          capture_output=True, text=True, check=True, timeout=60).stdout
    ups = [line for line in seen.splitlines() if re.match(r"(\S*/)?tailscale up ", line)]
    assert ups, "the sampler never saw tailscale up running"
    assert all("--auth-key=file:/run/" in line for line in ups), ups[:3]
    assert key not in seen, "the auth key was on a command line"
    assert not node(CLIENT_NAME).file("/run/teamhub-tailscale-authkey").exists, "the key file was left behind"
