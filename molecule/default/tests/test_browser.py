"""A member's first visit in a real browser (Debian's Chromium, no browser download):
the hub's login form, JupyterLab's launcher with the team's kernels, and a notebook
on the team kernel running pandas. The browser is kept off the internet; JupyterLab
trying to load anything from outside fails the test. The launcher screenshot is kept
in .build/artifacts/ (the README's docs/images/jupyterlab-launcher.png is one of them)."""

import time
from pathlib import Path

import pytest
from browser import offline_page
from hub_client import Hub
from teamhub_testing import container_name

ARTIFACTS = Path(__file__).resolve().parents[3] / ".build" / "artifacts"
MEMBER = "bob"  # a member who is not an admin
HUB_VENV = "/opt/jupyterhub/venv"


def launcher_labels(page, section):
    cards = page.locator(".jp-Launcher-section", has=page.locator(".jp-Launcher-sectionTitle", has_text=section))
    return [" ".join(text.split()) for text in cards.locator(".jp-LauncherCard .jp-LauncherCard-label").all_inner_texts()]


def notebooks(host):
    return {name for name in host.file(f"/home/{MEMBER}").listdir() if name.endswith(".ipynb")}


def visit(page, hub, password, team_display, screenshot, flavour):
    """A member's visit: log in, look at the launcher, run pandas on the team kernel."""
    page.set_default_timeout(60_000)
    # The hub's own login form, as a member fills it in.
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", MEMBER)
    page.fill("#password_input", password)
    page.click("#login_submit")
    # The hub starts the member's server and sends them to JupyterLab.
    page.wait_for_url(f"**/user/{MEMBER}/lab**", timeout=240_000)
    # A fresh workspace, so an earlier run's open notebook does not hide the launcher.
    page.goto(f"{hub.url}/user/{MEMBER}/lab?reset")
    page.wait_for_selector(".jp-LauncherCard", timeout=120_000)
    page.wait_for_timeout(2_000)  # let icons and fonts settle for the screenshot

    notebook_labels = launcher_labels(page, "Notebook")
    console_labels = launcher_labels(page, "Console")
    all_labels = [" ".join(text.split()) for text in page.locator(".jp-LauncherCard .jp-LauncherCard-label").all_inner_texts()]
    news_prompt = page.get_by_text("official Jupyter news").count()
    page.screenshot(path=str(screenshot))

    # A notebook on the team kernel, started from its launcher card.
    page.locator(".jp-Launcher-section", has=page.locator(".jp-Launcher-sectionTitle", has_text="Notebook")) \
        .locator(".jp-LauncherCard", has_text=team_display).click()
    panel = page.locator(".jp-NotebookPanel").last
    # Wait until the kernel is up and idle before typing into the first cell.
    panel.locator(".jp-Toolbar-kernelName", has_text=team_display).wait_for(timeout=120_000)
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
    panel.locator(".jp-Cell .cm-content").first.click()
    page.keyboard.type("import pandas; pandas.__version__")
    page.keyboard.press("Shift+Enter")
    output = panel.locator(".jp-OutputArea-output").first
    output.wait_for(timeout=180_000)
    result = output.inner_text()
    kernel_shown = panel.locator(".jp-Toolbar-kernelName").first.inner_text()
    page.screenshot(path=str(screenshot.with_name(f"jupyterlab-notebook-{flavour}.png")))
    return notebook_labels, console_labels, all_labels, news_prompt, kernel_shown, result


@pytest.fixture
def hub(host, service_token, passwords):
    return Hub(container_name(host), service_token, passwords)


@pytest.fixture
def member_left_as_found(host, hub):
    """Afterwards, the notebooks the test made go, and a server the test started stops."""
    before = notebooks(host)
    running = hub.server_ready(MEMBER)
    yield
    made = notebooks(host) - before
    if made:
        for session in hub.user_api("GET", MEMBER, "/sessions").json():
            if session["path"] in made:
                hub.user_api("DELETE", MEMBER, f"/sessions/{session['id']}")
        for path in made:
            hub.user_api("DELETE", MEMBER, f"/contents/{path}")
    if not running and hub.user_model(MEMBER).get("servers"):
        hub.stop_server(MEMBER)


@pytest.fixture
def server_kernel_name(host):
    """The display name of the Jupyter server's own kernel, the one the kernels role hides."""
    result = host.run(f"{HUB_VENV}/bin/python -c "
                      "'from ipykernel.kernelspec import get_kernel_dict; print(get_kernel_dict()[\"display_name\"])'")
    assert result.rc == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.usefixtures("member_left_as_found")
def test_member_sees_the_team_kernels_in_jupyterlab(host, hub, passwords, team_kernels, retired_kernel, server_kernel_name, tmp_path):
    flavour = container_name(host).rsplit("-", 1)[-1]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / f"jupyterlab-launcher-{flavour}.png"
    screenshot.unlink(missing_ok=True)
    team_kernel, team_display = next(iter(team_kernels.items()))
    prefix = f"/opt/conda/envs/{team_kernel}"
    installed = host.run(f"{prefix}/bin/python -c 'import pandas; print(pandas.__version__)'")
    assert installed.rc == 0, installed.stderr

    started = time.monotonic()
    with offline_page(tmp_path, viewport=(1280, 760)) as (page, offline):
        try:
            seen = visit(page, hub, passwords[MEMBER], team_display, screenshot, flavour)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"jupyterlab-failure-{flavour}.png"))
            raise
    elapsed = time.monotonic() - started
    print(f"browser session on {flavour}: {elapsed:.1f}s")
    notebook_labels, console_labels, all_labels, news_prompt, kernel_shown, result = seen

    assert sorted(notebook_labels) == sorted(team_kernels.values()), notebook_labels
    assert set(team_kernels.values()) <= set(console_labels), console_labels
    assert server_kernel_name not in all_labels
    assert retired_kernel["display_name"] not in all_labels
    assert news_prompt == 0, "JupyterLab asks about its news feed: the role should switch it off"
    assert screenshot.stat().st_size > 10_000
    assert kernel_shown == team_display
    assert result.strip().strip("'") == installed.stdout.strip()
    assert offline.outside == [], f"JupyterLab tried to load from outside 127.0.0.1: {offline.outside}"
    assert offline.netlog_outside() == [], "the browser tried to reach outside 127.0.0.1"
