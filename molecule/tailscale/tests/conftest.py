import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))

from teamhub_testing import extra_vars, run_playbook  # noqa: E402,F401

CLIENT = "teamhub-ts-client"
# alice's password on the hub host (group_vars/teamhub.yml; test only).
PASSWORDS = {"alice": "alice-password"}

# The hub's login form, used from inside the member's laptop (the tailnet address is
# only reachable there, so the controller-side tests/support/hub_client.py cannot):
# GET /hub/login (form, _xsrf), then POST the form; redirects are not followed.
LOGIN_PROBE = r'''
import http.cookiejar, json, re, sys, urllib.error, urllib.parse, urllib.request
base, user, password, host = sys.argv[1:5]

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
headers = {"Host": host} if host else {}
page = opener.open(urllib.request.Request(base + "/hub/login", headers=headers), timeout=120)
body = page.read().decode()
xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', body)
result = {"status": page.status, "body": body, "login": None, "location": None, "cookies": []}
if xsrf and password:
    data = urllib.parse.urlencode({"username": user, "password": password, "_xsrf": xsrf.group(1)}).encode()
    try:
        answer = opener.open(urllib.request.Request(base + "/hub/login", data=data, headers=headers), timeout=180)
        result["login"] = answer.status
    except urllib.error.HTTPError as err:
        result["login"], result["location"] = err.code, err.headers.get("Location")
    result["cookies"] = sorted(c.name for c in jar)
print(json.dumps(result))
'''


def hub_login(base, user="alice", password=None, host_header="", container=CLIENT):
    """The hub's login page and form seen from a container: status, body, login answer."""
    proc = subprocess.run(
        ["docker", "exec", "-i", container, "python3", "-", base, user,
         PASSWORDS.get(user, "") if password is None else password, host_header],
        input=LOGIN_PROBE, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def tailscale_status(host):
    """`tailscale status --json` on a testinfra host, parsed."""
    return json.loads(host.check_output("tailscale status --json"))


def served_hub(hub):
    """The hub as members reach it: "tailscale serve" on the hub host's tailnet IPv4
    address, by its MagicDNS name (the laptop keeps Docker's resolver here, so the name
    goes in the Host header). Returns (base URL, Host header)."""
    status = tailscale_status(hub)
    ips = [ip for ip in status["Self"]["TailscaleIPs"] if "." in ip]
    assert ips, "the hub host has no tailnet IPv4 address"
    return f"http://{ips[0]}", status["Self"]["DNSName"].rstrip(".")


def fixtures():
    """What scripts/build-tailnet-fixtures.sh built (recorded by prepare.yml)."""
    return json.loads((Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "fixtures.json").read_text())


@pytest.fixture(scope="session")
def check_run():
    """The tailnet play (tailnet.yml) in check mode on the converged tailnet, run once."""
    return run_playbook("tailnet.yml", "--check", "--diff")


@pytest.fixture(scope="session")
def keyless_run():
    """A re-run without any auth key: a logged-in node must not need one."""
    return run_playbook("tailnet.yml", *extra_vars({"tailscale_authkey": ""}))
