import json
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "support"))

from hub_client import Hub  # noqa: E402
from teamhub_testing import extra_vars, run_playbook  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def scenario_vars():
    """The scenario's group_vars, so tests expect what the scenario configures."""
    return yaml.safe_load((SCENARIO / "group_vars" / "teamhub.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def passwords():
    """The members' passwords behind the hashes in group_vars/teamhub.yml (tests only)."""
    return {"alice": "alice-password", "bob": "bob-password", "wang.lei": "wang.lei-password"}


@pytest.fixture(scope="session")
def service_token(scenario_vars):
    return next(s["api_token"] for s in scenario_vars["jupyterhub_services"] if s["name"] == "molecule-tests")


@pytest.fixture(scope="session")
def team_kernels(scenario_vars):
    """name -> display name of the kernels the scenario's kernels_list keeps."""
    return {k["name"]: k.get("display_name", k["name"])
            for k in scenario_vars["kernels_list"] if k.get("state", "present") == "present"}


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


@pytest.fixture(scope="session")
def retired_kernel():
    """The kernel.json prepare.yml leaves behind as if from an earlier run (not in kernels_list)."""
    plays = yaml.safe_load((SCENARIO / "prepare.yml").read_text(encoding="utf-8"))
    for play in plays:
        for task in play.get("tasks", []):
            copy = task.get("ansible.builtin.copy", {})
            if str(copy.get("dest", "")).startswith("/usr/local/share/jupyter/kernels/"):
                return json.loads(copy["content"])
    raise AssertionError("prepare.yml no longer leaves a retired kernel")


@pytest.fixture(scope="session")
def kernel_retirement(scenario_vars, service_token, passwords):
    """Run the kernels with one more kernel in kernels_list (sharing the first kernel's
    environment, so nothing is built), then with the scenario's list again; after each
    run, what alice's running server lists. Keyed by host."""
    team = scenario_vars["kernels_list"]
    scratch = {**team[0], "name": "scratch", "display_name": "Scratch (molecule)",
               "env_name": team[0].get("env_name", team[0]["name"])}

    def listed(hosts):
        specs = {}
        for name in hosts:
            hub = Hub(name, service_token, passwords)
            hub.start_server("alice")
            response = hub.user_api("GET", "alice", "/kernelspecs")
            assert response.status_code == 200, response.text[:300]
            specs[name] = {k: v["spec"]["display_name"] for k, v in response.json()["kernelspecs"].items()}
        return specs

    added_rc, added_output, added_recap = run_playbook(
        "converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": [*team, scratch]}))
    added = listed(added_recap)
    retired_rc, retired_output, retired_recap = run_playbook("converge.yml", "--tags", "kernels")
    retired = listed(retired_recap)
    return {name: {
        "added_rc": added_rc, "added_output": added_output, "added": added[name],
        "retired_rc": retired_rc, "retired_output": retired_output,
        "retired_changed": retired_recap[name]["changed"], "retired": retired.get(name),
    } for name in added_recap}
