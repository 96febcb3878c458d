import os
import sys
from pathlib import Path

import pytest
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))

HUB, NODES = "teamhub-cl-hub", ("teamhub-cl-c1", "teamhub-cl-c2")


def machine(name):
    return testinfra.get_host("ansible://" + name, ansible_inventory=os.environ["MOLECULE_INVENTORY_FILE"])


@pytest.fixture(scope="session")
def hub():
    return machine(HUB)


@pytest.fixture(scope="session")
def nodes():
    return {name: machine(name) for name in NODES}
