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
