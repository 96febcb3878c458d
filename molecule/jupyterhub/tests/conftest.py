"""Helpers for the hub tests: everything goes through the port Docker published on
127.0.0.1 (asked from Docker, never hard-coded) or through `docker exec` (testinfra)."""

import json
import re
import subprocess
import time
import uuid

import pytest
import requests
import websocket

# Must match molecule.yml.
SERVICE_TOKEN = "4f6d6f6c6563756c652d74657374732d746f6b656e2d6e6f742d736563726574"
PASSWORDS = {name: f"pw-{name}-molecule" for name in ("ada", "bob", "cleo", "lena", "olaf")}
CULL_TIMEOUT = 90
CULL_EVERY = 15


def container_name(host):
    return host.backend.get_hostname()


def published_url(host, port=8000):
    """http://127.0.0.1:<random port> Docker published for the container's port."""
    out = subprocess.run(
        ["docker", "port", container_name(host), str(port)],
        check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("127.0.0.1:"):
            return "http://" + line
    raise AssertionError(f"port {port} is not published on 127.0.0.1: {out!r}")


class Hub:
    """The hub of one molecule instance, seen from the controller."""

    def __init__(self, host):
        self.host = host
        self.url = published_url(host)

    # --- REST API with the scenario's service token -------------------------
    def api(self, method, path, token=SERVICE_TOKEN, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"token {token}"
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=30, **kwargs)

    def user_model(self, name):
        r = self.api("GET", f"/users/{name}")
        r.raise_for_status()
        return r.json()

    def server_ready(self, name):
        server = self.user_model(name).get("servers", {}).get("")
        return bool(server and server.get("ready"))

    def start_server(self, name, timeout=120):
        if self.server_ready(name):
            return
        r = self.api("POST", f"/users/{name}/server")
        assert r.status_code in (201, 202, 400), (r.status_code, r.text)
        self.wait(lambda: self.server_ready(name), timeout, f"{name}'s server to be ready")

    def stop_server(self, name, timeout=60):
        r = self.api("DELETE", f"/users/{name}/server")
        assert r.status_code in (202, 204, 400), (r.status_code, r.text)
        self.wait(lambda: not self.user_model(name).get("servers"), timeout, f"{name}'s server to stop")

    def fresh_server(self, name):
        """A server just started, so the idle culler leaves it alone for a while."""
        if self.user_model(name).get("servers"):
            self.stop_server(name)
        self.start_server(name)

    def user_token(self, name):
        """A token of the user, asked for through the user's own login session."""
        session = self.login(name)
        r = session.post(
            f"{self.url}/hub/api/users/{name}/tokens",
            json={"note": "molecule test", "expires_in": 3600},
            headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
            timeout=30,
        )
        assert r.status_code == 201, (r.status_code, r.text)
        return r.json()["token"]

    # --- The login form --------------------------------------------------------
    def login_response(self, name, password, session=None):
        """POST the real login form (with its _xsrf); the response is not followed."""
        session = session or requests.Session()
        page = session.get(f"{self.url}/hub/login", timeout=30)
        assert page.status_code == 200, page.status_code
        match = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
        assert match, "no _xsrf field in the login form"
        response = session.post(
            f"{self.url}/hub/login",
            data={"username": name, "password": password, "_xsrf": match.group(1)},
            allow_redirects=False,
            timeout=60,
        )
        return session, response

    def login(self, name):
        session, response = self.login_response(name, PASSWORDS[name])
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return session

    # --- Jupyter protocol on a user server --------------------------------------
    def start_kernel(self, name, token=SERVICE_TOKEN):
        r = requests.post(
            f"{self.url}/user/{name}/api/kernels",
            headers={"Authorization": f"token {token}"},
            json={"name": "python3"},
            timeout=60,
        )
        assert r.status_code == 201, (r.status_code, r.text[:500])
        return r.json()["id"]

    def kernel_exists(self, name, kernel_id, token=SERVICE_TOKEN):
        r = requests.get(
            f"{self.url}/user/{name}/api/kernels/{kernel_id}",
            headers={"Authorization": f"token {token}"},
            timeout=30,
        )
        return r.status_code == 200

    def execute(self, name, kernel_id, code, token=SERVICE_TOKEN, timeout=60):
        """Run code in the kernel over the websocket; return (stdout, error text)."""
        ws_url = self.url.replace("http://", "ws://") + f"/user/{name}/api/kernels/{kernel_id}/channels"
        ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=timeout)
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {
                "msg_id": msg_id, "username": name, "session": uuid.uuid4().hex,
                "msg_type": "execute_request", "version": "5.3",
            },
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {
                "code": code, "silent": False, "store_history": False,
                "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
            },
        }))
        out, err = [], []
        deadline = time.time() + timeout
        try:
            while time.time() < deadline:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    err.append(f'{msg["content"]["ename"]}: {msg["content"]["evalue"]}')
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    return "".join(out), "\n".join(err)
        finally:
            ws.close()
        raise AssertionError(f"no answer from the kernel within {timeout}s")

    @staticmethod
    def wait(predicate, timeout, what, every=2):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if predicate():
                    return
            except (requests.RequestException, OSError):
                pass
            time.sleep(every)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def hub(host):
    return Hub(host)
