import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))

from teamhub_testing import extra_vars, run_playbook  # noqa: E402


@pytest.fixture(scope="session")
def check_run():
    """The site playbook in check mode on the converged hosts, run once for all of them."""
    return run_playbook("converge.yml", "--check", "--diff")


@pytest.fixture(scope="session")
def bad_key_run():
    """A team list with a key that is not a key and a member without a name."""
    bad = {"users_accounts": [{"name": "eve", "ssh_keys": ["not-a-key AAAA eve@laptop"]}]}
    return run_playbook("converge.yml", *extra_vars(bad))


@pytest.fixture(scope="session")
def nameless_run():
    return run_playbook("converge.yml", *extra_vars({"users_accounts": [{"admin": True}]}))
