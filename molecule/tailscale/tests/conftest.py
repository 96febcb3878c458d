import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))

from teamhub_testing import extra_vars, run_playbook  # noqa: E402,F401


def tailscale_status(host):
    """`tailscale status --json` on a testinfra host, parsed."""
    return json.loads(host.check_output("tailscale status --json"))


@pytest.fixture(scope="session")
def check_run():
    """The converge playbook in check mode on the converged tailnet, run once."""
    return run_playbook("converge.yml", "--check", "--diff")


@pytest.fixture(scope="session")
def keyless_run():
    """A re-run without any auth key: a logged-in node must not need one."""
    return run_playbook("converge.yml", *extra_vars({"tailscale_authkey": ""}))
