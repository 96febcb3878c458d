"""Working together, in a real browser (Debian's Chromium through Playwright, kept off
the internet): alice shares her server with bob on the hub's Sharing page, both edit
one notebook and see each other's typing live, alice revokes and bob is out; a member
makes a conda environment of their own in a terminal and finds it in their launcher;
the status bar shows the memory limit the hub set. wang.lei, not an analyst, may not
share (jupyterhub_sharing_groups: [analysts]).

The picture of two members in one notebook is kept in .build/artifacts/ (the README's
docs/images/two-members-one-notebook.png is one of them)."""

import re
import time
from pathlib import Path

import pytest
from browser import offline_browser
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from hub_client import REQUEST_TIMEOUT, Hub
from teamhub_testing import container_name

ARTIFACTS = Path(__file__).resolve().parents[3] / ".build" / "artifacts"
OWNER, GUEST, OUTSIDER = "alice", "bob", "wang.lei"
NOTEBOOK = "together.ipynb"
OWN_ENV = "mine"
# Seconds a server keeps the hub's answer about a visitor (the role's default,
# jupyterhub_server_auth_cache_seconds), plus slack for a busy CI host.
REVOKE_WITHIN = 10 + 50


@pytest.fixture
def hub(host, service_token, passwords):
    return Hub(container_name(host), service_token, passwords)


def log_in(page, hub, name, password):
    page.set_default_timeout(60_000)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(r".*/(hub/spawn-pending|user)/.*"), timeout=240_000)


def authorize_if_asked(page):
    """JupyterHub asks a member once before another member's server may use their login."""
    if "/oauth2/authorize" in page.url:
        page.locator("form input[type=submit], form button[type=submit]").first.click()


def open_notebook(page, hub, owner, attempts=3):
    """Open the owner's notebook and wait until its kernel is idle. Under the load of six
    scenarios on 2 cores JupyterLab once lost its server on the first load (ci49, ci52):
    then, like a member, reload the page; what each failed attempt showed is kept as a
    picture in the artifacts and said in the log."""
    idle = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
    for attempt in range(1, attempts):
        page.goto(f"{hub.url}/user/{owner}/lab/tree/{NOTEBOOK}?reset")
        authorize_if_asked(page)
        panel = page.locator(".jp-NotebookPanel").last
        try:
            panel.locator(idle).wait_for(timeout=120_000)
            return panel
        except PlaywrightTimeoutError:
            picture = ARTIFACTS / f"open-notebook-attempt-{attempt}.png"
            page.screenshot(path=str(picture))
            print(f"the notebook's kernel was not idle within 120 s (attempt {attempt} at {page.url}); dialogs: "
                  f"{page.locator('.jp-Dialog').all_inner_texts()}; picture: {picture}; reloading the page")
    page.goto(f"{hub.url}/user/{owner}/lab/tree/{NOTEBOOK}?reset")
    authorize_if_asked(page)
    panel = page.locator(".jp-NotebookPanel").last
    panel.locator(idle).wait_for(timeout=180_000)
    return panel


def guest_status(page, hub):
    """What alice's server answers bob's browser (his cookies), without following redirects."""
    response = page.request.get(f"{hub.url}/user/{OWNER}/api/contents/{NOTEBOOK}?content=0", max_redirects=0,
                                timeout=REQUEST_TIMEOUT * 1000)
    return response.status


@pytest.fixture
def shared_notebook(hub, team_kernels):
    """alice's server with an empty notebook on the team's kernel; afterwards the notebook goes."""
    hub.start_server(OWNER)
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": ""}
    name, display = list(team_kernels.items())[0]
    kernelspec = {"name": name, "display_name": display, "language": "python"}
    content = {"cells": [cell], "metadata": {"kernelspec": kernelspec}, "nbformat": 4, "nbformat_minor": 5}
    response = hub.user_api("PUT", OWNER, f"/contents/{NOTEBOOK}", json={"type": "notebook", "content": content})
    assert response.status_code in (200, 201), response.text[:300]
    yield
    # Whatever the test got to: no share of alice's server is left for the tests after it.
    revoked = hub.api("DELETE", f"/shares/{OWNER}/", token=hub.user_token(OWNER))
    assert revoked.status_code in (204, 404), revoked.text[:300]
    for session in hub.user_api("GET", OWNER, "/sessions").json():
        if session["path"] == NOTEBOOK:
            hub.user_api("DELETE", OWNER, f"/sessions/{session['id']}")
    hub.user_api("DELETE", OWNER, f"/contents/{NOTEBOOK}")


def test_two_members_edit_one_notebook_until_the_owner_revokes(host, hub, passwords, shared_notebook, tmp_path):
    flavour = container_name(host).rsplit("-", 1)[-1]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    picture = ARTIFACTS / f"two-members-one-notebook-{flavour}.png"
    line = "print('written by alice, read by bob')"
    with offline_browser(tmp_path) as (new_page, offline):
        owner, guest = new_page((1100, 700)), new_page((1100, 700))
        try:
            log_in(owner, hub, OWNER, passwords[OWNER])
            log_in(guest, hub, GUEST, passwords[GUEST])

            # Before the share, alice's server is closed to bob.
            assert guest_status(guest, hub) in (302, 403)

            # The hub's menu leads to the Sharing page; alice shares with bob there.
            owner.goto(f"{hub.url}/hub/home")
            owner.get_by_role("button", name="Services").click()
            owner.get_by_role("link", name="sharing").click()
            owner.wait_for_selector("#share-user")
            owner.select_option("#share-user", GUEST)
            owner.click("#share-button")
            message = owner.locator("#sharing-message").inner_text()
            shares = owner.locator("#shares").inner_text()
            link = owner.locator("#share-link").input_value()

            # bob opens the link, and both open the notebook.
            guest.goto(link)
            authorize_if_asked(guest)
            guest.wait_for_url(f"**/user/{OWNER}/**", timeout=120_000)
            guest_panel = open_notebook(guest, hub, OWNER)
            owner_panel = open_notebook(owner, hub, OWNER)

            # alice types; bob's page shows it without a reload.
            owner_panel.locator(".jp-Cell .cm-content").first.click()
            owner.keyboard.type(line)
            guest_cell = guest_panel.locator(".jp-Cell .cm-content").first
            seen_at = time.monotonic()
            guest_cell.filter(has_text=line).wait_for(timeout=30_000)
            live_seconds = time.monotonic() - seen_at
            guest.wait_for_timeout(1_000)
            guest.screenshot(path=str(picture))

            # alice revokes on the Sharing page; bob is out at his next request.
            owner.goto(f"{hub.url}/services/sharing/")
            owner.click(f"button[name='revoke-user-{GUEST}']")
            after_revoke = owner.locator("#shares").inner_text()
            revoked_at = time.monotonic()
            while guest_status(guest, hub) == 200 and time.monotonic() - revoked_at < REVOKE_WITHIN:
                time.sleep(2)
            out_after = time.monotonic() - revoked_at
            status_after = guest_status(guest, hub)
        except Exception:
            for who, page in (("owner", owner), ("guest", guest)):
                page.screenshot(path=str(ARTIFACTS / f"sharing-failure-{who}-{flavour}.png"))
            raise
    print(f"bob saw alice's typing after {live_seconds:.1f}s; out {out_after:.1f}s after the revoke")

    assert f"Shared with {GUEST}" in message
    assert GUEST in shares
    assert link == f"{hub.url}/user/{OWNER}/"
    assert GUEST not in after_revoke, after_revoke
    assert status_after in (302, 403), status_after
    assert out_after < REVOKE_WITHIN
    assert picture.stat().st_size > 10_000
    assert offline.outside == [], f"the pages tried to load from outside 127.0.0.1: {offline.outside}"
    assert offline.netlog_outside() == [], "the browser tried to reach outside 127.0.0.1"


def test_a_member_outside_the_sharing_groups_cannot_share(hub):
    session = hub.login(OUTSIDER)
    home = session.get(f"{hub.url}/hub/home", timeout=REQUEST_TIMEOUT)
    assert home.status_code == 200
    assert "services/sharing" not in home.text
    page = session.get(f"{hub.url}/services/sharing/", timeout=REQUEST_TIMEOUT)
    assert page.status_code == 403, (page.status_code, page.url)
    token = hub.user_token(OUTSIDER)
    hub.start_server(OUTSIDER)
    try:
        refused = hub.api("POST", f"/shares/{OUTSIDER}/", token=token, json={"user": GUEST})
        assert refused.status_code == 403, refused.text[:300]
        assert hub.api("GET", f"/users/{GUEST}/shared", token=hub.user_token(GUEST)).json()["items"] == []
    finally:
        hub.stop_server(OUTSIDER)


def test_an_analyst_sees_the_sharing_page_in_the_menu(hub):
    home = hub.login(OWNER).get(f"{hub.url}/hub/home", timeout=REQUEST_TIMEOUT)
    assert re.search(r'href="[^"]*/services/sharing/"', home.text)


@pytest.fixture
def own_environment(host, hub):
    """Afterwards bob's own environment and the test's notebooks go."""
    yield
    host.run(f"rm -rf /home/{GUEST}/.conda/envs/{OWN_ENV} /home/{GUEST}/conda-create.* /home/{GUEST}/Untitled*.ipynb")
    host.run(f"sed -i '\\#/{OWN_ENV}$#d' /home/{GUEST}/.conda/environments.txt")
    if hub.default_server(GUEST):
        hub.stop_server(GUEST)


def test_own_environment_appears_in_the_members_launcher_only(host, hub, passwords, team_kernels, own_environment, tmp_path):
    flavour = container_name(host).rsplit("-", 1)[-1]
    team_display = next(iter(team_kernels.values()))
    status_bar = ""
    with offline_browser(tmp_path) as (new_page, offline):
        page = new_page()
        try:
            log_in(page, hub, GUEST, passwords[GUEST])
            page.goto(f"{hub.url}/user/{GUEST}/lab?reset")
            page.locator(".jp-LauncherCard", has_text="Terminal").click()
            terminal = page.locator(".jp-Terminal").last
            terminal.wait_for(timeout=60_000)
            page.wait_for_timeout(2_000)
            terminal.click()
            page.keyboard.type(f"conda create -n {OWN_ENV} python ipykernel -y > ~/conda-create.log 2>&1; "
                               "echo $? > ~/conda-create.rc\n")
            rc_file = host.file(f"/home/{GUEST}/conda-create.rc")
            Hub.wait(lambda: rc_file.exists and rc_file.content_string.strip(), 600, "conda create in the terminal")
            assert rc_file.content_string.strip() == "0", host.file(f"/home/{GUEST}/conda-create.log").content_string[-2000:]

            # After a reload the launcher shows it, after the team's kernels.
            page.goto(f"{hub.url}/user/{GUEST}/lab?reset")
            page.wait_for_selector(".jp-LauncherCard", timeout=120_000)
            specs = hub.user_api("GET", GUEST, "/kernelspecs").json()["kernelspecs"]
            own = [s["spec"]["display_name"] for s in specs.values()
                   if s["spec"].get("metadata", {}).get("teamhub", {}).get("own_environment")]
            assert len(own) == 1, specs
            section = page.locator(".jp-Launcher-section", has=page.locator(".jp-Launcher-sectionTitle", has_text="Notebook"))
            section.locator(".jp-LauncherCard", has_text=own[0]).wait_for(timeout=60_000)
            labels = [" ".join(t.split()) for t in section.locator(".jp-LauncherCard-label").all_inner_texts()]
            status_bar = page.locator("#jp-main-statusbar").inner_text()
            page.screenshot(path=str(ARTIFACTS / f"own-environment-launcher-{flavour}.png"))

            # It runs code, in the member's own environment.
            section.locator(".jp-LauncherCard", has_text=own[0]).click()
            panel = page.locator(".jp-NotebookPanel").last
            # The kernel is up and connected: the status bar names it, idle.
            page.locator("#jp-main-statusbar", has_text=f"{own[0]} | Idle").wait_for(timeout=120_000)
            panel.locator(".jp-Cell .cm-content").first.click()
            page.keyboard.type("import sys; print(sys.prefix)")
            page.keyboard.press("Shift+Enter")
            output = panel.locator(".jp-OutputArea-output").first
            output.wait_for(timeout=120_000)
            prefix_shown = output.inner_text().strip()
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"own-environment-failure-{flavour}.png"))
            raise

    assert labels[0] == team_display, labels
    assert labels.index(own[0]) > labels.index(team_display), labels
    assert labels[-1] == own[0], labels
    assert prefix_shown == f"/home/{GUEST}/.conda/envs/{OWN_ENV}"
    # Only for bob: alice's server does not list it.
    hub.start_server(OWNER)
    theirs = hub.user_api("GET", OWNER, "/kernelspecs").json()["kernelspecs"]
    assert not [s for s in theirs.values() if s["spec"]["display_name"] == own[0]], theirs
    # The status bar: memory in use against the 1G the hub set (jupyterhub_mem_limit).
    assert re.search(r"Mem: [\d.]+ / (1024(\.0+)? MB|1(\.0+)? GB)", status_bar), status_bar
    assert offline.outside == [], f"JupyterLab tried to load from outside 127.0.0.1: {offline.outside}"
