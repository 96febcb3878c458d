"""A JupyterHub client for the molecule verifiers: the login form, the REST API and
the Jupyter kernel protocol, all through the port Docker published on 127.0.0.1."""

import json
import re
import time
import uuid

import requests
import websocket

from teamhub_testing import published_port

# Seconds one HTTP request may take. Generous: CI runs five scenarios on 2 cores, and
# these limits only decide how long a test waits before it fails, never what passes.
REQUEST_TIMEOUT = 90


class Hub:
    """The hub of one molecule instance, seen from the controller."""

    def __init__(self, container, service_token, passwords, port=8000, scheme="http"):
        self.container = container
        self.token = service_token
        self.passwords = passwords
        self.url = f"{scheme}://127.0.0.1:{published_port(container, port)}"

    # --- REST API with the scenario's service token -------------------------
    def api(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"token {token}"
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=REQUEST_TIMEOUT, **kwargs)

    def user_model(self, name):
        response = self.api("GET", f"/users/{name}")
        response.raise_for_status()
        return response.json()

    def default_server(self, name):
        """The user's default server as the hub reports it, or None when there is none."""
        return self.user_model(name).get("servers", {}).get("")

    def server_ready(self, name):
        server = self.default_server(name)
        return bool(server and server.get("ready"))

    def start_server(self, name, timeout=300):
        """Start the server and wait until it is ready. A server that is being stopped
        (the idle culler took it a moment ago: the hub answers 400, pending stop) is
        started again once it is down, instead of waiting for a server nobody starts."""

        def ready_or_started():
            server = self.default_server(name)
            if server and server.get("ready"):
                return True
            if not server:
                response = self.api("POST", f"/users/{name}/server")
                assert response.status_code in (201, 202, 400), (response.status_code, response.text)
            return False

        self.wait(ready_or_started, timeout, f"{name}'s server to be ready")

    def stop_server(self, name, timeout=180):
        response = self.api("DELETE", f"/users/{name}/server")
        assert response.status_code in (202, 204, 400), (response.status_code, response.text)
        self.wait(lambda: not self.user_model(name).get("servers"), timeout, f"{name}'s server to stop")

    def fresh_server(self, name):
        """A server just started, so an idle culler leaves it alone for a while."""
        if self.user_model(name).get("servers"):
            self.stop_server(name)
        self.start_server(name)

    def user_token(self, name):
        """A token of the user, asked for through the user's own login session."""
        session = self.login(name)
        response = session.post(
            f"{self.url}/hub/api/users/{name}/tokens",
            json={"note": "molecule test", "expires_in": 3600},
            headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
            timeout=REQUEST_TIMEOUT,
        )
        assert response.status_code == 201, (response.status_code, response.text)
        return response.json()["token"]

    # --- The login form --------------------------------------------------------
    def login_response(self, name, password, session=None):
        """POST the real login form (with its _xsrf); the response is not followed."""
        session = session or requests.Session()
        page = session.get(f"{self.url}/hub/login", timeout=REQUEST_TIMEOUT)
        assert page.status_code == 200, page.status_code
        match = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
        assert match, "no _xsrf field in the login form"
        response = session.post(
            f"{self.url}/hub/login",
            data={"username": name, "password": password, "_xsrf": match.group(1)},
            allow_redirects=False,
            timeout=2 * REQUEST_TIMEOUT,
        )
        return session, response

    def login(self, name):
        session, response = self.login_response(name, self.passwords[name])
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return session

    # --- Jupyter protocol on a user server --------------------------------------
    def user_api(self, method, name, path, token=None, **kwargs):
        token = self.token if token is None else token
        return requests.request(
            method, f"{self.url}/user/{name}/api{path}",
            headers={"Authorization": f"token {token}"}, timeout=2 * REQUEST_TIMEOUT, **kwargs,
        )

    def start_kernel(self, name, kernel="python3", token=None):
        response = self.user_api("POST", name, "/kernels", token=token, json={"name": kernel})
        assert response.status_code == 201, (response.status_code, response.text[:500])
        return response.json()["id"]

    def kernel_exists(self, name, kernel_id, token=None):
        return self.user_api("GET", name, f"/kernels/{kernel_id}", token=token).status_code == 200

    def execute(self, name, kernel_id, code, token=None, timeout=180):
        """Run code in the kernel over the websocket; return (stdout, error text)."""
        token = self.token if token is None else token
        ws_url = "ws" + self.url[len("http"):] + f"/user/{name}/api/kernels/{kernel_id}/channels"
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
