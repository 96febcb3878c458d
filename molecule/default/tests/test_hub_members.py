"""Adding a member on the hub, the way a team lead who is not an Ansible user does it:
the admin adds them on JupyterHub's admin page in a real browser, makes a one-time link
on the hub's Members page, and the new member sets their password through it, logs in
and runs a kernel; the REST API gives the same, and the reasons for bad names. The next converge lists them and
changes nothing; deleting a member added on the hub retires them; setting one absent
in the inventory retires them like any member. Bad names change nothing."""

import re
from pathlib import Path

import pytest
import requests
from browser import offline_page
from hub_client import REQUEST_TIMEOUT, Hub
from teamhub_testing import container_name, extra_vars, run_playbook, task_results

ARTIFACTS = Path(__file__).resolve().parents[3] / ".build" / "artifacts"
ADMIN = "alice"
# The members' part of the site: the users and the hub (the other roles never read the
# hub's members; the molecule idempotence step re-runs the whole site).
MEMBERS_PART = ("--tags", "users,jupyterhub")
NEWBIE = "newbie"
PASSWORD = "chosen by the new member"


@pytest.fixture(scope="module")
def hub(host, service_token, passwords):
    return Hub(container_name(host), service_token, dict(passwords, **{NEWBIE: PASSWORD}))


@pytest.fixture(scope="module")
def admin_token(hub):
    return hub.user_token(ADMIN)


def add(hub, token, *names):
    """POST /hub/api/users as the admin page does."""
    return hub.api("POST", "/users", token=token, json={"usernames": list(names)})


def accounts(host):
    return {line.split(":")[0] for line in host.check_output("getent passwd").splitlines()}


def first_password_form(hub, link):
    """GET the page behind a one-time link: (session, the form's _xsrf)."""
    session = requests.Session()
    page = session.get(link, timeout=REQUEST_TIMEOUT)
    match = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    assert page.status_code == 200 and match, (page.status_code, page.text[:300])
    return session, match.group(1)


def redeem(hub, link, password):
    session, xsrf = first_password_form(hub, link)
    query = dict(part.split("=", 1) for part in link.split("?", 1)[1].split("&"))
    return session.post(f"{hub.url}/hub/teamhub/first-password", timeout=REQUEST_TIMEOUT, data={
        "_xsrf": xsrf, "user": query["user"], "token": query["token"], "password": password, "password2": password})


@pytest.fixture(scope="module")
def onboarding(host, hub, passwords, tmp_path_factory):
    """Onboarding in a real browser, as a team lead and a newcomer do it: the admin tries
    "NewBie" then "newbie" on JupyterHub's admin page, makes a one-time link on the
    Members page, and the newcomer sets their password with it and logs in. Returns what
    was seen on the way."""
    seen = {}
    with offline_page(tmp_path_factory.mktemp("onboarding"), viewport=(1280, 520)) as (page, offline):
        page.set_default_timeout(60_000)
        page.goto(f"{hub.url}/hub/login?next=/hub/admin")
        page.fill("#username_input", ADMIN)
        page.fill("#password_input", passwords[ADMIN])
        page.click("#login_submit")
        page.wait_for_url("**/hub/admin**", timeout=240_000)
        page.click(".add-users-button")
        names = page.locator("[data-testid=user-textarea]")
        # Chromium's spell checker would fetch a dictionary from the internet for a
        # textarea that has it on (the browser's own request, not the hub's).
        names.evaluate("field => { field.spellcheck = false; }")
        for name in ("NewBie", NEWBIE):
            names.fill(name)
            names.blur()  # the admin page reads the names when the field loses focus
            page.click("[data-testid=submit]")
            if name != NEWBIE:
                # The reason arrives with the hub's answer, after the click.
                page.wait_for_function("document.querySelector('#teamhub-add-reason .alert').textContent.length > 0")
                seen["refused"] = page.locator("#teamhub-add-reason .alert").inner_text()
        page.locator("[data-testid=user-row-name]", has_text=NEWBIE).wait_for()
        seen["locked"] = host.check_output(f"passwd --status {NEWBIE}").split()[1]
        seen["login_before_link"] = hub.login_response(NEWBIE, PASSWORD)[1].status_code
        page.click("a.nav-link:has-text('Members')")
        page.wait_for_url("**/hub/teamhub/members")
        page.locator("tr", has_text=NEWBIE).locator("button").click()
        seen["link"] = link = page.input_value("#first-password-link")
        # The picture for the README (.build/artifacts), with the token cut short.
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.eval_on_selector("#first-password-link", "(field, shown) => { field.value = shown; }",
                              link[:link.index("token=") + 12] + "...")
        page.screenshot(path=str(ARTIFACTS / "hub-members-one-time-link.png"))
        # The newcomer, in a browser without the admin's cookies.
        page.context.clear_cookies()
        page.goto(link)
        page.fill("#password", PASSWORD)
        page.fill("#password2", PASSWORD)
        page.click("#set-password")
        page.wait_for_selector("#go-to-login")
        page.click("#go-to-login")
        page.fill("#username_input", NEWBIE)
        page.fill("#password_input", PASSWORD)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{NEWBIE}/**", timeout=240_000)
    seen["outside"] = offline.netlog_outside()
    return seen


@pytest.fixture(scope="module")
def added(host, onboarding):
    """newbie, added on the admin page; the test module's member."""
    return host.user(NEWBIE)


def test_the_admin_page_says_why_a_name_is_refused(host, onboarding):
    assert "member names are lower case" in onboarding["refused"] and "use 'newbie'" in onboarding["refused"]
    assert not host.user("NewBie").exists


def test_an_added_member_gets_what_the_users_role_gives(host, added, onboarding):
    assert added.exists
    assert "team" in added.groups
    home = host.file(added.home)
    assert home.user == NEWBIE and home.mode == 0o700
    assert host.file(f"{added.home}/shared").linked_to == "/srv/teamhub/shared"
    assert host.file(f"{added.home}/Welcome.ipynb").exists
    # A UID no retired member had (dave's is reserved in the archive's list).
    retired = host.file("/var/lib/teamhub/archive/retired-uids").content_string.split()
    assert str(added.uid) not in retired[0::3]
    # Nobody could log in before the member chose a password: the account was locked.
    assert onboarding["locked"] == "L" and onboarding["login_before_link"] != 302
    # Each request is a unit of its own in the journal, saying what it did.
    journal = host.check_output("journalctl --no-pager -o cat -u 'teamhub-accounts@*' -n 200")
    assert f"added member {NEWBIE} (uid {added.uid})" in journal


def test_the_new_member_set_a_password_with_a_one_time_link(host, hub, onboarding):
    link = onboarding["link"]
    assert onboarding["outside"] == [], "the browser tried to reach outside 127.0.0.1"
    assert link.startswith(f"{hub.url}/hub/teamhub/first-password?user={NEWBIE}&token=")
    # The link worked once.
    again = redeem(hub, link, "another-password-123")
    assert again.status_code == 400 and "not valid" in again.text, (again.status_code, again.text[:300])
    # The token is in no log and in no file on the host: only its hash is kept.
    token = link.rsplit("token=", 1)[1]
    assert token not in host.check_output("journalctl --no-pager -o cat --since -1h")
    assert token not in host.file("/var/lib/teamhub/first-password-links.json").content_string
    hub.login(NEWBIE)


def test_the_new_member_runs_a_kernel(hub, added):
    token = hub.user_token(NEWBIE)
    hub.fresh_server(NEWBIE)
    kernel = hub.start_kernel(NEWBIE, token=token)
    out, err = hub.execute(NEWBIE, kernel, "import getpass; print(getpass.getuser())", token=token)
    assert (out.strip(), err) == (NEWBIE, "")
    hub.stop_server(NEWBIE)


def test_a_link_from_the_api_is_single_use_and_bad_tokens_fail(hub, admin_token, added):
    response = hub.api("POST", f"/teamhub/members/{NEWBIE}/first-password-link", token=admin_token)
    assert response.status_code == 200, (response.status_code, response.text)
    link = response.json()["url"]
    wrong = redeem(hub, link.rsplit("token=", 1)[0] + "token=not-the-token", "a-password-long-enough")
    assert wrong.status_code == 400 and "not valid" in wrong.text
    short = redeem(hub, link, "short")
    assert short.status_code == 400 and "at least 10 characters" in short.text
    # The service token may read users but not add them or make links.
    assert hub.api("POST", f"/teamhub/members/{NEWBIE}/first-password-link").status_code == 403
    # A link for a member of the inventory is refused: their password comes from there.
    inventory = hub.api("POST", "/teamhub/members/bob/first-password-link", token=admin_token)
    assert inventory.status_code == 400 and "users_accounts" in inventory.text
    # Making a link ends the one before; redeem the newest so the password stays PASSWORD.
    newest = hub.api("POST", f"/teamhub/members/{NEWBIE}/first-password-link", token=admin_token).json()["url"]
    assert redeem(hub, link, PASSWORD).status_code == 400
    assert redeem(hub, newest, PASSWORD).status_code == 200


@pytest.mark.parametrize("name, expect", [
    ("NewBie", "lower case.*use 'newbie'"),
    ("bad name", "not a valid member name"),
    ("dave", "retired member"),
    ("root", "taken: an account"),
    ("team", "taken: it is a group"),
])
def test_bad_names_are_refused_with_a_reason_and_nothing_is_created(host, hub, admin_token, name, expect):
    before = accounts(host)
    response = add(hub, admin_token, name)
    assert response.status_code == 400, (response.status_code, response.text)
    assert re.search(expect, response.json()["message"]), response.json()["message"]
    assert accounts(host) == before
    assert hub.api("GET", f"/users/{name}", token=admin_token).status_code == 404


def test_deleting_a_member_added_on_the_hub_retires_them_and_an_inventory_member_is_refused(host, hub, admin_token):
    assert add(hub, admin_token, "shortstay").status_code == 201
    uid = host.user("shortstay").uid
    host.check_output("runuser -u shortstay -- sh -c 'echo kept > ~/notes.txt'")
    assert hub.api("DELETE", "/users/shortstay", token=admin_token).status_code == 204
    assert not host.user("shortstay").exists
    assert host.check_output("cat /var/lib/teamhub/archive/shortstay-*/notes.txt") == "kept"
    assert f"{uid} shortstay " in host.file("/var/lib/teamhub/archive/retired-uids").content_string
    # The name stays reserved.
    assert "retired member" in add(hub, admin_token, "shortstay").json()["message"]
    refused = hub.api("DELETE", "/users/bob", token=admin_token)
    assert refused.status_code == 400 and "state: absent" in refused.json()["message"]
    assert host.user("bob").exists and hub.api("GET", "/users/bob", token=admin_token).status_code == 200


def test_the_next_converge_lists_and_keeps_what_the_hub_set_then_changes_nothing(hub, admin_token, added):
    # Admin status and a group given on the admin page, to newbie and to bob (who has
    # no admin key in the inventory: the hub's word stands for him too).
    for name in (NEWBIE, "bob"):
        assert hub.api("PATCH", f"/users/{name}", token=admin_token, json={"admin": True}).status_code == 200
    response = hub.api("POST", "/groups/analysts/users", token=admin_token, json={"users": [NEWBIE]})
    assert response.status_code == 200, response.text
    rc, output, _recap = run_playbook("converge.yml", *MEMBERS_PART)
    assert rc == 0, output[-3000:]
    said = " ".join(output.split())
    assert f"Added on the hub, not in users_accounts: {NEWBIE}." in said
    assert "Set on the hub, not in jupyterhub_members (users_accounts): admin bob, " + NEWBIE in said
    assert f"{NEWBIE} in analysts" in said
    # The hub restarted with them in its configuration: still admins, still in the group.
    assert hub.user_model(NEWBIE)["admin"] and hub.user_model("bob")["admin"]
    assert "analysts" in hub.user_model(NEWBIE)["groups"]
    rc, output, recap = run_playbook("converge.yml", *MEMBERS_PART)
    assert rc == 0 and all(counts["changed"] == 0 for counts in recap.values()), (recap, output[-3000:])
    assert task_results(output, "Say which members were added on the hub") == ["ok"]
    hub.login(NEWBIE)


def test_the_inventory_has_the_last_word(host, hub, admin_token, added, scenario_vars):
    """state: absent retires a member added on the hub; admin: false revokes admin given there."""
    team = [dict(member, admin=False) if member["name"] == "bob" else member for member in scenario_vars["users_accounts"]]
    rc, output, _recap = run_playbook("converge.yml", *MEMBERS_PART, *extra_vars({"users_accounts": team + [{"name": NEWBIE, "state": "absent"}]}))
    assert rc == 0, output[-3000:]
    assert not host.user(NEWBIE).exists
    assert host.run(f"ls -d /var/lib/teamhub/archive/{NEWBIE}-*").rc == 0
    assert hub.api("GET", f"/users/{NEWBIE}", token=admin_token).status_code == 404
    assert not hub.user_model("bob")["admin"]
