"""A real browser for the molecule verifiers: Debian's Chromium driven by Playwright,
kept off the internet.

Only Debian's own `chromium` package is used (scripts/ensure-chromium.sh installs it);
Playwright never downloads a browser here. Two things keep the browser on 127.0.0.1:

- page level: every request a page makes to anything but 127.0.0.1 is recorded and
  aborted (`Offline.outside`), so a test can fail when JupyterLab tries to load
  something from outside;
- browser level: Chromium's own services (sign-in, component updates) are pointed at
  a closed local port, host names do not resolve, and a NetLog of everything the
  network stack did is read back after the browser closed (`Offline.netlog_outside`).
"""

import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# A local port nothing listens on: where Chromium's own services are sent.
DEAD_END = "http://127.0.0.1:9/"

# Playwright adds its own --disable-features list (optimization hints, network time
# queries, ...). A second --disable-features would replace it, so none is given here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--no-pings",
    "--no-proxy-server",
    f"--gaia-url={DEAD_END}",
    f"--google-apis-url={DEAD_END}",
    f"--component-updater=url-source={DEAD_END}",
    f"--autofill-server-url={DEAD_END}",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]

# NetLog events that name where the network stack went.
NETLOG_URL_EVENTS = {"URL_REQUEST_START_JOB", "HTTP_STREAM_JOB_CONTROLLER"}
NETLOG_HOST_EVENTS = {"HOST_RESOLVER_MANAGER_REQUEST", "HOST_RESOLVER_MANAGER_JOB"}


def is_outside(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return False  # data:, blob:, about: never leave the browser
    return parts.hostname not in LOCAL_HOSTS


def netlog_outside(path):
    """URLs and host names outside 127.0.0.1 in a Chromium NetLog file."""
    with open(path, encoding="utf-8") as handle:
        log = json.load(handle)
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    outside = set()
    for event in log.get("events", []):
        params = event.get("params") or {}
        kind = names.get(event.get("type"))
        if kind in NETLOG_URL_EVENTS and "url" in params and is_outside(params["url"]):
            outside.add(params["url"])
        elif kind in NETLOG_HOST_EVENTS and "host" in params:
            host = str(params["host"])
            if not is_outside(host if "://" in host else f"http://{host}"):
                continue
            outside.add(host)
    return sorted(outside)


def require_chromium():
    """Playwright and Debian's Chromium, or a failure that says how to get them."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise AssertionError(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (Debian's chromium package)")
    try:
        from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel
    except ImportError as error:
        raise AssertionError(f"the playwright package is missing ({error}): pip install -r requirements-dev.txt") from error
    return sync_playwright


class Offline:
    """What a browser session tried to reach outside 127.0.0.1."""

    def __init__(self, netlog):
        self.netlog = netlog
        self.outside = []

    def route(self, route):
        url = route.request.url
        if is_outside(url):
            self.outside.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def websocket(self, socket):
        if is_outside(socket.url):
            self.outside.append(socket.url)

    def netlog_outside(self):
        return netlog_outside(self.netlog)


@contextmanager
def offline_browser(workdir):
    """A Chromium kept off the internet; yields (new_page, Offline).

    new_page(viewport=(w, h)) opens a page in a context of its own (its own cookies: one
    person each), all watched by the one Offline. The browser is closed on the way out,
    so Offline.netlog_outside() can be read after the with block."""
    sync_playwright = require_chromium()
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    netlog = workdir / "netlog.json"
    profile = workdir / "profile"
    shutil.rmtree(profile, ignore_errors=True)
    offline = Offline(netlog)
    args = [*CHROMIUM_ARGS, f"--log-net-log={netlog}", "--net-log-capture-mode=Default"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)

        def new_page(viewport=(1280, 800)):
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            context.route("**/*", offline.route)
            page = context.new_page()
            page.on("websocket", offline.websocket)
            answer_jupyterlab_dialogs(page)
            return page

        try:
            yield new_page, offline
        finally:
            browser.close()


def answer_jupyterlab_dialogs(page):
    """JupyterLab asks to restart the server when one request failed on the network (seen
    once with six scenarios on 2 cores, the server running): whenever that dialog stands
    in the way of an action, dismiss it and say so in the log. The same for its question
    whether to wait for a document slow to load (ci55, ci57). Every page gets both."""
    dialog = page.locator(".jp-Dialog", has_text="Server unavailable or unreachable")

    def dismiss(found):
        print(f"dismissed JupyterLab's 'Server unavailable' dialog at {page.url}")
        found.get_by_role("button", name="Dismiss").click()

    page.add_locator_handler(dialog, dismiss)
    # With collaboration, a document slow to load under that load asks whether to wait
    # for it (ci55): wait, as a member would.
    loading = page.locator(".jp-Dialog", has_text="The document is taking some time to load")

    def keep_waiting(found):
        print(f"answered JupyterLab's 'taking some time to load' dialog with its wait button at {page.url}")
        found.get_by_role("button", name=re.compile("wait", re.IGNORECASE)).first.click()

    page.add_locator_handler(loading, keep_waiting)


@contextmanager
def offline_page(workdir, viewport=(1280, 800)):
    """One Chromium page kept off the internet; yields (page, Offline) (see offline_browser)."""
    with offline_browser(workdir) as (new_page, offline):
        yield new_page(viewport), offline
