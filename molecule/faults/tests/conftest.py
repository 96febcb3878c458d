import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))

from hub_client import Hub  # noqa: E402
from teamhub_testing import container_name  # noqa: E402

# The scenario's service token and passwords (group_vars/teamhub.yml; tests only).
SERVICE_TOKEN = "7465616d6875622d6661756c74732d7363656e6172696f2d746f6b656e0a"
PASSWORDS = {"alice": "alice-password", "bob": "bob-password",
             # Members the retirement test adds (test_faults.py).
             "carol": "carol-password", "dave": "dave-password"}


@pytest.fixture
def container(host):
    return container_name(host)


@pytest.fixture
def hub(container):
    return Hub(container, SERVICE_TOKEN, PASSWORDS)
