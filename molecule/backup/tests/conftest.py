import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))

from hub_client import Hub  # noqa: E402
from teamhub_testing import machine  # noqa: E402

A, B, TARGET = "teamhub-bk-a", "teamhub-bk-b", "teamhub-bk-target"
# group_vars/teamhub.yml (test only).
PASSWORDS = {"alice": "alice-password", "bob": "bob-password"}
SERVICE_TOKEN = "7465616d6875622d6261636b75702d7363656e6172696f2d746f6b656e2d30"
LOCAL, SFTP = "/srv/backup/teamhub", "sftp:restic@teamhub-bk-target:/srv/restic/teamhub"


@pytest.fixture(scope="session")
def host_a():
    return machine(A)


@pytest.fixture(scope="session")
def host_b():
    return machine(B)


@pytest.fixture(scope="session")
def target():
    return machine(TARGET)


@pytest.fixture(scope="session")
def hub_a():
    return Hub(A, SERVICE_TOKEN, PASSWORDS)


@pytest.fixture(scope="session")
def hub_b():
    return Hub(B, SERVICE_TOKEN, PASSWORDS)
