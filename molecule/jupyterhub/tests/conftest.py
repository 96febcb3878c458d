"""Fixtures for the hub tests: everything goes through the port Docker published on
127.0.0.1 (asked from Docker, never hard-coded), over TLS, or through `docker exec`
(testinfra)."""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))

from hub_client import Hub  # noqa: E402  pylint: disable=wrong-import-position
from teamhub_testing import container_name  # noqa: E402  pylint: disable=wrong-import-position

# Must match molecule.yml.
SERVICE_TOKEN = "4f6d6f6c6563756c652d74657374732d746f6b656e2d6e6f742d736563726574"
PASSWORDS = {name: f"pw-{name}-molecule" for name in ("ada", "bob", "cleo", "lena", "olaf", "wang.lei")}
CULL_TIMEOUT = 90
CULL_EVERY = 15


# The hub's certificate comes from prepare.yml's test CA: requests and the websocket
# client trust that CA (and only it) for every request of these tests.
TEST_CA = os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "."), "tls", "ca.crt")
os.environ["REQUESTS_CA_BUNDLE"] = TEST_CA
os.environ["WEBSOCKET_CLIENT_CA_BUNDLE"] = TEST_CA


@pytest.fixture
def hub(host):
    return Hub(container_name(host), SERVICE_TOKEN, PASSWORDS, scheme="https")
