import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))

from teamhub_testing import machine  # noqa: E402

HUB, NODES = "teamhub-cl-hub", ("teamhub-cl-c1", "teamhub-cl-c2")


@pytest.fixture(scope="session")
def hub():
    return machine(HUB)


@pytest.fixture(scope="session")
def nodes():
    return {name: machine(name) for name in NODES}


@pytest.fixture(scope="session")
def team_hub():
    """The hub on the hub host, through its published port, with the scenario's service
    token and the test members' passwords (group_vars/all/cluster.yml, tests only)."""
    from hub_client import Hub

    token = "7465616d6875622d636c75737465722d7363656e6172696f2d746f6b656e30"
    return Hub(HUB, token, {"alice": "alice-password", "bob": "bob-password", "carol": "carol-password"})
