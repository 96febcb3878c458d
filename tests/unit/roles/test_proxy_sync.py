# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""roles/jupyterhub/files/teamhub-proxy-sync against a real HTTP server standing in
for the hub's API and a real listening socket for the proxy's API."""

import http.server
import socket
import threading

import pytest
import role_files

TOKEN = 'a' * 64


sync = role_files.load('jupyterhub', 'teamhub-proxy-sync', 'teamhub_proxy_sync')


class FakeHub(http.server.BaseHTTPRequestHandler):
    """POST /hub/api/proxy: 200 with the right token, 403 otherwise; records requests."""
    calls = []
    fail_first = 0

    def do_POST(self):  # pylint: disable=invalid-name  # the name http.server calls
        FakeHub.calls.append((self.path, self.headers.get('Authorization')))
        if FakeHub.fail_first > 0:
            FakeHub.fail_first -= 1
            status = 503
        elif self.headers.get('Authorization') != f'token {TOKEN}':
            status = 403
        else:
            status = 200 if self.path == '/hub/api/proxy' else 404
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture
def hub_api():
    FakeHub.calls = []
    FakeHub.fail_first = 0
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}/hub/api'
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy_port():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / 'proxy_sync_token'
    path.write_text(TOKEN + '\n', encoding='utf-8')
    return str(path)


def argv(hub_api, port, token_file, timeout=5):
    return ['--hub-api', hub_api, '--proxy-api-port', str(port), '--token-file', token_file, '--timeout', str(timeout)]


def test_running_hub_is_asked_to_put_the_routes_back(hub_api, proxy_port, token_file, capsys):
    assert sync.main(argv(hub_api, proxy_port, token_file), is_running=lambda unit: unit == 'jupyterhub.service') == 0
    assert FakeHub.calls == [('/hub/api/proxy', f'token {TOKEN}')]
    assert 'put the routes back' in capsys.readouterr().out


def test_hub_not_running_is_left_alone(hub_api, proxy_port, token_file, capsys):
    assert sync.main(argv(hub_api, proxy_port, token_file), is_running=lambda unit: False) == 0
    assert not FakeHub.calls
    assert 'jupyterhub.service is not running' in capsys.readouterr().out


def test_hub_busy_at_first_is_asked_again(hub_api, proxy_port, token_file):
    FakeHub.fail_first = 2
    assert sync.main(argv(hub_api, proxy_port, token_file), is_running=lambda unit: True) == 0
    assert len(FakeHub.calls) == 3


def test_rejected_token_fails_at_once_and_says_so(hub_api, proxy_port, tmp_path, capsys):
    wrong = tmp_path / 'wrong'
    wrong.write_text('b' * 64, encoding='utf-8')
    assert sync.main(argv(hub_api, proxy_port, str(wrong)), is_running=lambda unit: True) == 1
    assert len(FakeHub.calls) == 1
    assert 'HTTP 403' in capsys.readouterr().err


def test_proxy_that_never_listens_fails_after_the_timeout(hub_api, token_file, capsys):
    port = free_port()
    assert sync.main(argv(hub_api, port, token_file, timeout=1), is_running=lambda unit: True) == 1
    assert not FakeHub.calls
    assert f"proxy's API on 127.0.0.1:{port} did not answer" in capsys.readouterr().err


def test_missing_token_file_is_named(hub_api, proxy_port, tmp_path, capsys):
    missing = str(tmp_path / 'nothing')
    assert sync.main(argv(hub_api, proxy_port, missing), is_running=lambda unit: True) == 1
    assert f'cannot read the token file {missing}' in capsys.readouterr().err


def test_hub_that_does_not_answer_fails_after_the_timeout(proxy_port, token_file, capsys):
    hub = f'http://127.0.0.1:{free_port()}/hub/api'
    assert sync.main(argv(hub, proxy_port, token_file, timeout=1.5), is_running=lambda unit: True) == 1
    assert 'did not put the routes back' in capsys.readouterr().err
