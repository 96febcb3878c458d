"""Acceptance tests of role teamhub.jupyter.jupyterhub, run per molecule instance.

HTTP goes to the port Docker published on 127.0.0.1; host checks use `docker exec`.
The tests run in file order: the slow ones (idle culler, ansible-playbook runs) last.
"""

import json
import os
import re
import shlex
import time
from pathlib import Path

import pytest
import requests

from conftest import CULL_EVERY, CULL_TIMEOUT, PASSWORDS, SERVICE_TOKEN
from teamhub_testing import container_name, listening_ports, published_port, run_playbook, task_results

VENV = "/opt/jupyterhub/venv"
STATE = "/var/lib/jupyterhub"


def main_pid(host, unit):
    return int(host.check_output(f"systemctl show -p MainPID --value {unit}"))


# --- Upgrade from the previous release (prepare.yml set the host up with it) -------


def before_upgrade():
    """What prepare.yml recorded: the previous release and the member's work."""
    ephemeral = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    return (json.loads((ephemeral / "previous-release.json").read_text()),
            json.loads((ephemeral / "before-upgrade.json").read_text()))


def test_the_upgrade_came_from_the_previous_release(host):
    release = before_upgrade()[0]
    assert release["version"] != release["current"], release
    # The venv the previous release built is a release now, and jupyterhub_venv a link.
    link = host.file(VENV)
    assert link.is_symlink and link.linked_to.startswith("/opt/jupyterhub/releases/jupyterhub-6.1."), link.linked_to
    good = host.file(f"{STATE}/last-good")
    assert good.is_directory and good.user == "root" and good.mode == 0o700
    state = json.loads(host.check_output(f"cat {STATE}/last-good/state.json"))
    assert state["release"] == link.linked_to


def test_the_upgrade_restarted_the_hub_once_and_not_the_proxy(host):
    work = before_upgrade()[1]
    # This test runs first: nothing but the upgrade (and the idempotence run) came after prepare.
    assert host.check_output("systemctl show -P InvocationID jupyterhub-proxy.service") == work["proxy_invocation"]
    starts = host.check_output(f"journalctl -u jupyterhub.service --since {shlex.quote(work['since'])} -o cat "
                               "| grep -c '^Started jupyterhub.service' || true")
    assert starts == "1", host.check_output(f"journalctl -u jupyterhub.service --since {shlex.quote(work['since'])} -o cat | tail -30")


def test_the_members_work_survived_the_upgrade(host, hub):
    work = before_upgrade()[1]
    member = work["member"]
    token = hub.user_token(member)
    hub.start_server(member)
    response = hub.user_api("GET", member, f"/contents/{work['notebook']}", token=token)
    assert response.status_code == 200, (response.status_code, response.text[:300])
    cells = response.json()["content"]["cells"]
    assert cells[0]["source"] == work["source"]
    assert cells[0]["outputs"][0]["text"] == work["output"]
    home = host.user(member).home
    assert host.file(f"{home}/{work['notebook']}").user == member
    # The member runs code on the upgraded hub.
    kernel = hub.start_kernel(member, token=token)
    output, error = hub.execute(member, kernel, "print(6 * 7)", token=token)
    assert (output, error) == ("42\n", "")


# --- Installation and service -------------------------------------------------------


def test_proxy_and_hub_run_as_services(host):
    for unit in ("jupyterhub-proxy.service", "jupyterhub.service", "dbus.service"):
        assert host.service(unit).is_running, unit
        assert host.service(unit).is_enabled, unit
    for unit in ("jupyterhub-proxy.service", "jupyterhub.service"):
        assert host.check_output(f"systemctl show -p Restart --value {unit}") == "always", unit
        assert host.check_output(f"systemctl show -p RestartUSec --value {unit}") == "1s", unit
    # The proxy runs as an unprivileged dynamic user, the hub as root.
    assert host.check_output(f"stat -c %U /proc/{main_pid(host, 'jupyterhub-proxy.service')}") != "root"
    assert host.check_output(f"stat -c %U /proc/{main_pid(host, 'jupyterhub.service')}") == "root"


def test_the_proxy_serves_tls_and_no_plain_http(host, hub):
    # jupyterhub_ssl_cert/_key on 0.0.0.0: TLS on the network, the hub and the proxy's
    # API on loopback.
    assert listening_ports(host, (8000, 8001, 8081)) == {("0.0.0.0", 8000), ("127.0.0.1", 8001), ("127.0.0.1", 8081)}
    # Over TLS, with the certificate checked against the test CA (conftest.py) ...
    assert requests.get(f"{hub.url}/hub/login", timeout=60).status_code == 200
    # ... and plain HTTP to the same port gets no page at all.
    plain = f"http://127.0.0.1:{published_port(container_name(host), 8000)}/hub/login"
    with pytest.raises(requests.ConnectionError):
        requests.get(plain, timeout=60)


def test_hub_venv_has_the_pinned_releases(host):
    out = host.check_output(f"{VENV}/bin/python -c 'import jupyterhub, systemdspawner; print(jupyterhub.__version__)'")
    assert out.startswith("6.1.")
    assert host.file(f"{STATE}/installed_version").content_string.strip() == out
    chp = host.check_output("/opt/jupyterhub/node/node_modules/.bin/configurable-http-proxy --version")
    assert re.match(r"^\d+\.\d+\.\d+$", chp)


def test_spawn_timeouts_reach_the_hub(host):
    """The hub's own traitlets loader reads the role defaults for the spawn timeouts, the
    kernel start timeout handed to every server and the limit of servers starting at once."""
    script = ("from traitlets.config import PyFileConfigLoader; "
              "c = PyFileConfigLoader('jupyterhub_config.py', path='/etc/jupyterhub').load_config(); "
              "print(c.Spawner.start_timeout, c.Spawner.http_timeout, c.JupyterHub.concurrent_spawn_limit, *c.Spawner.args)")
    out = host.check_output(f"cd {STATE} && {VENV}/bin/python -c \"{script}\"")
    assert out.split() == ["120", "120", "100", "--MappingKernelManager.kernel_info_timeout=120"]


@pytest.mark.parametrize("path", [
    f"{STATE}/jupyterhub_cookie_secret",
    f"{STATE}/proxy.env",
    f"{STATE}/metrics_token",
    f"{STATE}/proxy_sync_token",
    f"{STATE}/service_tokens.json",
    "/etc/jupyterhub/jupyterhub_config.py",
])
def test_secrets_are_root_only(host, path):
    f = host.file(path)
    assert f.exists and f.user == "root" and f.group == "root"
    assert f.mode == 0o600, oct(f.mode)


def test_secrets_are_generated_and_not_in_the_config(host):
    cookie = host.file(f"{STATE}/jupyterhub_cookie_secret").content_string.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", cookie)
    proxy = host.file(f"{STATE}/proxy.env").content_string.strip()
    assert re.fullmatch(r"CONFIGPROXY_AUTH_TOKEN=[0-9a-f]{64}", proxy)
    config = host.file("/etc/jupyterhub/jupyterhub_config.py").content_string
    for secret in (cookie, proxy.split("=", 1)[1], SERVICE_TOKEN):
        assert secret not in config
    assert host.file(f"{STATE}").mode == 0o700


# --- Who may log in ----------------------------------------------------------------


def test_member_login_through_the_form_lands_on_the_server(hub):
    session, response = hub.login_response("bob", PASSWORDS["bob"])
    assert response.status_code == 302
    page = session.get(hub.url + response.headers["Location"], timeout=180)
    hub.wait(lambda: hub.server_ready("bob"), 120, "bob's server")
    page = session.get(f"{hub.url}/hub/", timeout=60)
    assert page.status_code == 200
    assert re.search(r"/user/bob/lab", page.url), page.url
    assert "JupyterLab" in page.text
    # Closed network: no news feed, no update check, announcements plugin off.
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>\s*(\{.*?\})\s*</script>', page.text, re.S).group(1))
    assert config["news"]["disabled"] is True
    assert "@jupyterlab/apputils-extension:announcements" in config.get("disabledExtensions", [])


def test_wrong_password_is_refused(hub):
    _session, response = hub.login_response("bob", "not-the-password")
    assert response.status_code != 302
    assert "Invalid username or password" in response.text


def test_local_account_outside_the_team_is_refused(host, hub):
    assert host.user("olaf").exists
    _session, response = hub.login_response("olaf", PASSWORDS["olaf"])
    assert response.status_code != 302
    assert hub.api("GET", "/users/olaf").status_code == 404


def test_groups_and_admins_come_from_the_team_list(hub):
    users = {u["name"]: u for u in hub.api("GET", "/users").json()}
    assert users["ada"]["admin"] is True
    assert not users["bob"]["admin"]
    assert "gus" not in users
    groups = {g["name"]: sorted(g["users"]) for g in hub.api("GET", "/groups").json()}
    assert groups["analysts"] == ["bob", "cleo"]
    assert groups["leads"] == ["lena"]


# --- User servers ------------------------------------------------------------------


def test_kernel_runs_code_over_the_websocket(host, hub):
    # As wang.lei, a company login with a dot: the form login (PAM), the server's
    # systemd unit and a kernel running as them, end to end.
    _session, response = hub.login_response("wang.lei", PASSWORDS["wang.lei"])
    assert response.status_code == 302, response.text[:500]
    hub.fresh_server("wang.lei")
    assert host.service("jupyter-wang.lei-singleuser").is_running
    # The server gives a slow kernel jupyterhub_kernel_start_timeout, not Jupyter's 60 s.
    unit = host.check_output("systemctl show -p ExecStart jupyter-wang.lei-singleuser")
    assert "--MappingKernelManager.kernel_info_timeout=120" in unit, unit
    kernel = hub.start_kernel("wang.lei")
    out, err = hub.execute("wang.lei", kernel, "import os, getpass; print(6 * 7, getpass.getuser(), os.getcwd())")
    assert not err
    answer, user, cwd = out.split()
    assert (answer, user) == ("42", "wang.lei")
    assert cwd == "/home/wang.lei"
    # The kernel talks to its server over Unix sockets in the member's own 0700 runtime
    # directory, not over TCP ports on 127.0.0.1 (random ports collided when a team
    # started at once); the short path leaves room in a socket address for long names.
    run = host.file("/home/wang.lei/.jupyter/run")
    assert (run.user, run.mode & 0o777) == ("wang.lei", 0o700)
    sockets = host.check_output(f"find {run.path} -type s -name 'kernel-{kernel}-ipc-*'").split()
    assert len(sockets) == 5, sockets
    connection = host.file(f"{run.path}/kernel-{kernel}.json")
    assert (connection.user, connection.mode) == ("wang.lei", 0o600)
    assert json.loads(connection.content_string)["transport"] == "ipc"
    hub.stop_server("wang.lei")


def test_shared_dir_is_in_the_file_browser_and_data_is_read_only(hub):
    hub.start_server("cleo")
    r = requests.get(
        f"{hub.url}/user/cleo/api/contents/shared",
        headers={"Authorization": f"token {SERVICE_TOKEN}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text[:300]
    assert r.json()["type"] == "directory"
    kernel = hub.start_kernel("cleo")
    out, err = hub.execute("cleo", kernel, "open('shared/from-cleo.txt', 'w').write('hi'); print('ok')")
    assert (out.strip(), err) == ("ok", "")
    _out, err = hub.execute("cleo", kernel, "open('/srv/teamhub/data/x.txt', 'w').write('no')")
    assert "Read-only file system" in err


def test_user_units_carry_the_limits(host, hub):
    hub.start_server("cleo")
    hub.start_server("bob")
    cleo = host.check_output(
        "systemctl show -p MemoryMax -p MemorySwapMax -p CPUQuotaPerSecUSec -p PrivateTmp jupyter-cleo-singleuser")
    assert "MemoryMax=805306368" in cleo  # 768M from jupyterhub_user_limits
    assert "CPUQuotaPerSecUSec=500ms" in cleo
    assert "MemorySwapMax=0" in cleo
    assert "PrivateTmp=yes" in cleo
    bob = host.check_output("systemctl show -p MemoryMax -p CPUQuotaPerSecUSec jupyter-bob-singleuser")
    assert "MemoryMax=1073741824" in bob  # 1G default of the scenario
    assert "CPUQuotaPerSecUSec=1s" in bob


# --- Permissions -------------------------------------------------------------------


def test_member_may_not_list_users(hub):
    token = hub.user_token("bob")
    assert hub.api("GET", "/users", token=token).status_code == 403


def test_admin_lists_users(hub):
    session = hub.login("ada")
    r = session.get(f"{hub.url}/hub/api/users", headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
                    timeout=30)
    assert r.status_code == 200
    assert {"ada", "bob", "cleo", "lena"} <= {u["name"] for u in r.json()}


def test_team_lead_stops_analysts_servers_and_nothing_more(hub):
    hub.start_server("bob")
    hub.start_server("ada")
    token = hub.user_token("lena")
    # The analysts: visible, and their servers may be stopped and started.
    assert hub.api("GET", "/users/bob", token=token).status_code == 200
    assert hub.api("DELETE", "/users/bob/server", token=token).status_code in (202, 204)
    hub.wait(lambda: not hub.user_model("bob").get("servers"), 60, "bob's server to stop")
    # Everyone else, and admin actions: refused.
    assert hub.api("DELETE", "/users/ada/server", token=token).status_code in (403, 404)
    assert hub.server_ready("ada")
    assert hub.api("GET", "/users", token=token).status_code == 403
    assert hub.api("POST", "/users/olaf", token=token).status_code in (403, 404)
    assert hub.api("PATCH", "/users/bob", token=token, json={"admin": True}).status_code in (403, 404)
    hub.stop_server("ada")


def test_every_member_may_share_their_own_server_and_nothing_more(hub):
    # jupyterhub_sharing_groups is empty here: every member may share, with the hub's
    # sharing API as with the Sharing page. bob shares with cleo, and revokes.
    hub.start_server("bob")
    token = hub.user_token("bob")
    granted = hub.api("POST", "/shares/bob/", token=token, json={"user": "cleo"})
    assert granted.status_code == 200, granted.text[:300]
    assert [s["user"]["name"] for s in hub.api("GET", "/shares/bob/", token=token).json()["items"]] == ["cleo"]
    assert [s["server"]["user"]["name"] for s in hub.api("GET", "/users/cleo/shared", token=hub.user_token("cleo")).json()["items"]] == ["bob"]
    # Nobody else's server, and no name outside the team.
    assert hub.api("POST", "/shares/ada/", token=token, json={"user": "cleo"}).status_code in (403, 404)
    assert hub.api("POST", "/shares/bob/", token=token, json={"user": "mallory"}).status_code == 400
    revoked = hub.api("PATCH", "/shares/bob/", token=token, json={"user": "cleo"})
    assert revoked.status_code == 200, revoked.text[:300]
    assert hub.api("GET", "/shares/bob/", token=token).json()["items"] == []
    # The Sharing page answers through the proxy (behind the hub's login).
    page = hub.login("bob").get(f"{hub.url}/services/sharing/", timeout=60)
    assert page.status_code == 200 and 'id="share-user"' in page.text, page.text[:300]
    hub.stop_server("bob")


def test_idle_culler_has_only_its_scopes(host, hub):
    service = hub.api("GET", "/services/idle-culler").json()
    assert service["admin"] is False
    assert service["roles"] == ["idle-culler"]
    scopes = host.check_output(
        "python3 -c \"import sqlite3; db = sqlite3.connect('file:%s/jupyterhub.sqlite?mode=ro', uri=True); "
        "print(db.execute(\\\"select scopes from roles where name='idle-culler'\\\").fetchone()[0])\"" % STATE)
    assert sorted(json.loads(scopes)) == sorted(["list:users", "read:users:activity", "read:servers", "delete:servers"])


def test_metrics_need_the_metrics_token(host, hub):
    assert requests.get(f"{hub.url}/hub/metrics", timeout=30).status_code == 403
    token = host.file(f"{STATE}/metrics_token").content_string.strip()
    r = requests.get(f"{hub.url}/hub/metrics", headers={"Authorization": f"token {token}"}, timeout=30)
    assert r.status_code == 200
    assert "jupyterhub_" in r.text


def test_proxy_sync_token_reaches_the_routes_and_nothing_else(host, hub):
    token = host.file(f"{STATE}/proxy_sync_token").content_string.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    assert token not in host.file("/etc/jupyterhub/jupyterhub_config.py").content_string
    headers = {"Authorization": f"token {token}"}
    routes = requests.get(f"{hub.url}/hub/api/proxy", headers=headers, timeout=30)
    assert routes.status_code == 200 and isinstance(routes.json(), dict)
    assert requests.post(f"{hub.url}/hub/api/proxy", headers=headers, timeout=30).status_code == 200
    assert requests.get(f"{hub.url}/hub/api/users", headers=headers, timeout=30).status_code == 403


# --- Resilience --------------------------------------------------------------------


def test_killed_hub_comes_back_and_servers_keep_their_kernels(host, hub):
    hub.fresh_server("bob")
    kernel = hub.start_kernel("bob")
    out, _err = hub.execute("bob", kernel, "before_kill = 'still here'; print('set')")
    assert out.strip() == "set"
    pid = main_pid(host, "jupyterhub.service")
    host.check_output(f"kill -9 {pid}")
    hub.wait(lambda: main_pid(host, "jupyterhub.service") not in (0, pid), 60, "systemd to restart the hub")
    hub.wait(lambda: requests.get(f"{hub.url}/hub/health", timeout=5).status_code == 200, 60, "the hub to answer")
    assert host.service("jupyter-bob-singleuser").is_running
    assert hub.server_ready("bob")
    assert hub.kernel_exists("bob", kernel)
    out, err = hub.execute("bob", kernel, "print(before_kill)")
    assert (out.strip(), err) == ("still here", "")


def test_idle_culler_stops_an_idle_server(host, hub):
    hub.fresh_server("ada")
    started = time.time()
    hub.wait(lambda: not hub.user_model("ada").get("servers"), CULL_TIMEOUT + 4 * CULL_EVERY + 60,
             "the idle culler to stop ada's server", every=5)
    assert time.time() - started >= CULL_TIMEOUT - 5
    assert not host.service("jupyter-ada-singleuser").is_running


# --- Ansible runs against this instance -------------------------------------------


def run_on_this_host(host, playbook, *extra):
    """ansible-playbook against this instance only: (rc, output, recap by host)."""
    return run_playbook(playbook, "--limit", container_name(host), *extra)


def test_broken_config_fails_the_play_and_the_hub_keeps_serving(host, hub):
    pid = main_pid(host, "jupyterhub.service")
    rc, output, _recap = run_on_this_host(host, "hub.yml", "-e", "jupyterhub_config_extra='c.JupyterHub.log_level = ('")
    assert rc != 0
    assert "configuration check failed" in output, output[-3000:]
    assert main_pid(host, "jupyterhub.service") == pid
    assert "c.JupyterHub.log_level = (" not in host.file("/etc/jupyterhub/jupyterhub_config.py").content_string
    assert requests.get(f"{hub.url}/hub/health", timeout=10).status_code == 200


def test_checker_refuses_a_drop_in_with_a_misspelt_option(host):
    host.check_output("printf 'c.Spawner.no_such_option = 1\\n' > /root/broken-dropin.py")
    result = host.run(f"{VENV}/bin/python /opt/jupyterhub/bin/teamhub-check-config "
                      "--main /etc/jupyterhub/jupyterhub_config.py --dropin /root/broken-dropin.py")
    assert result.rc == 1
    assert "unknown option(s): Spawner.no_such_option" in result.stderr
    ok = host.run(f"{VENV}/bin/python /opt/jupyterhub/bin/teamhub-check-config /etc/jupyterhub/jupyterhub_config.py")
    assert ok.rc == 0, ok.stderr


# pip runs in the background; the task that waits for it reports what pip did.
PIP_START = "Start installing the JupyterHub packages into the hub venv"
PIP_TASK = "Wait until the JupyterHub packages are installed in the hub venv"
LOCK = "/opt/jupyterhub/hub-venv.lock.txt"
ROLE_LOCK = Path(__file__).resolve().parents[3] / "roles" / "jupyterhub" / "files" / "hub-venv.lock.txt"
# Evaluated by the hub venv's Python: {name: version} of the lock lines (argv[1], JSON)
# whose markers hold on this host, and of what is installed (pip, setuptools and wheel
# aside), names normalized as the index compares them.
COMPARE = """
import json, re, sys
from importlib import metadata
from packaging.requirements import Requirement
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
locked = {}
for line in json.loads(sys.argv[1]):
    req = Requirement(line)
    if not req.marker or req.marker.evaluate():
        locked[norm(req.name)] = str(req.specifier).lstrip("=")
installed = {norm(d.metadata["Name"]): d.version for d in metadata.distributions()}
for tool in ("pip", "setuptools", "wheel"):
    installed.pop(tool, None)
print(json.dumps({"locked": locked, "installed": installed}))
"""


def lock_requirements(text):
    """Each requirement of a lock without its hashes (continuations joined, comments dropped)."""
    lines = text.replace("\\\n", " ").splitlines()
    return [line.split(" --hash")[0].strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def venv_against_lock(host):
    text = host.file(LOCK).content_string
    return json.loads(host.check_output(f"{VENV}/bin/python -c {shlex.quote(COMPARE)} "
                                        f"{shlex.quote(json.dumps(lock_requirements(text)))}"))


def test_the_hub_venv_holds_exactly_its_lock(host):
    """Every package the lock pins for this host's Python, at its version, and nothing
    else: any two hosts with the same Python and lock have the same packages."""
    assert host.file(LOCK).content_string == ROLE_LOCK.read_text(encoding="utf-8")
    found = venv_against_lock(host)
    assert len(found["locked"]) > 80
    assert found["installed"] == found["locked"]


def write_bad_lock(tmp_path, change):
    bad = tmp_path / "bad.lock.txt"
    bad.write_text(change(ROLE_LOCK.read_text(encoding="utf-8")), encoding="utf-8")
    return str(bad)


def wrong_hashes_for_notebook(text):
    """notebook's hashes replaced by one that matches no file."""
    return re.sub(r"(?m)^(notebook==[^\n]*\n(?:\s+--hash=[^\n]*\n)+)",
                  lambda found: found.group(1).split(" \\")[0] + " \\\n    --hash=sha256:" + "0" * 64 + "\n", text)


@pytest.mark.parametrize("change, message", [
    (lambda text: text + "teamhub-no-such-package==1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n",
     r"No matching distribution found for teamhub-no-such-package==1\.0"),
    (wrong_hashes_for_notebook, r"THESE PACKAGES DO NOT MATCH THE HASHES"),
], ids=["unknown-package", "wrong-hash"])
def test_a_bad_lock_fails_before_the_venv_changes(host, hub, tmp_path, change, message):
    """pip checks the whole lock (every download against its hash) before it installs
    anything: the venv keeps what it had and the hub keeps serving. For the wrong hash,
    notebook is taken out first so that pip has to download it."""
    if "hash" in message.lower():
        host.check_output(f"{VENV}/bin/pip uninstall --yes --quiet notebook")
    before = venv_against_lock(host)["installed"]
    pid = main_pid(host, "jupyterhub.service")
    rc, output, _recap = run_on_this_host(host, "hub.yml", "-e", f"jupyterhub_venv_lock_src={write_bad_lock(tmp_path, change)}")
    assert rc != 0
    assert re.search(message, output), output[-3000:]
    assert venv_against_lock(host)["installed"] == before
    assert main_pid(host, "jupyterhub.service") == pid
    assert requests.get(f"{hub.url}/hub/health", timeout=10).status_code == 200


def test_drift_from_the_lock_is_reported_in_check_mode_and_put_back(host):
    """A package taken out by hand and one installed by hand: --check names both and
    changes nothing; the next run puts notebook back and removes the other."""
    host.check_output(f"{VENV}/bin/pip uninstall --yes --quiet notebook")
    site = host.check_output(f"{VENV}/bin/python -c 'import sysconfig; print(sysconfig.get_paths()[\"purelib\"])'")
    info = f"{site}/handmade_teamhub-1.0.dist-info"
    host.check_output(f"mkdir -p {info} && printf 'Metadata-Version: 2.1\\nName: handmade-teamhub\\nVersion: 1.0\\n' > {info}/METADATA"
                      f" && printf 'handmade_teamhub-1.0.dist-info/METADATA,,\\nhandmade_teamhub-1.0.dist-info/RECORD,,\\n' > {info}/RECORD")
    drift = "this run puts it back: notebook==7.6.5 (installed: none); handmade-teamhub (not in the lock: removed)"

    rc, output, recaps = run_on_this_host(host, "converge.yml", "--check")
    assert rc == 0, output[-3000:]
    assert drift in re.sub(r"\s+", " ", output), output[-3000:]
    assert host.file(info).exists
    assert host.run(f"{VENV}/bin/python -c 'import notebook'").rc != 0

    rc, output, _recap = run_on_this_host(host, "converge.yml")
    assert rc == 0, output[-3000:]
    assert drift in re.sub(r"\s+", " ", output), output[-3000:]
    assert task_results(output, PIP_START) == ["ok"], output[-3000:]
    assert task_results(output, PIP_TASK) == ["changed"], output[-3000:]
    assert not host.file(info).exists
    found = venv_against_lock(host)
    assert found["installed"] == found["locked"]


def test_check_mode_on_the_converged_host_changes_nothing(host):
    rc, output, recaps = run_on_this_host(host, "converge.yml", "--check", "--diff")
    assert rc == 0, output[-3000:]
    assert recaps[container_name(host)]["changed"] == 0, output[-3000:]
    assert recaps[container_name(host)]["failed"] == 0
    # Every pin is met: pip is not run at all.
    assert task_results(output, PIP_START) == ["skipping"], output[-3000:]
    assert task_results(output, PIP_TASK) == ["skipping"], output[-3000:]
