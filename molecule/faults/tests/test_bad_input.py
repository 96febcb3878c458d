"""Bad input, on the converged host: every case of bad_inputs.yml (each role's argument
spec through its validate entry point, each module) fails with a message naming the
wrong input, and the host is left as it was (state manifest before and after). The
cases run in one ansible-playbook run, one play each, so that the suite stays fast;
then the site playbook itself is given bad settings and an unknown package."""

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from state_manifest import differences, manifest
from teamhub_testing import container_name, extra_vars, run_playbook

CASES = yaml.safe_load((Path(__file__).resolve().parent / "bad_inputs.yml").read_text())["cases"]
KERNEL = "/usr/local/share/jupyter/kernels"


def case_play(case):
    """One play per case: the bad call in a block, its failure recorded by the rescue."""
    if "role" in case:
        task = {
            "name": f"Check role {case['role']}'s settings",
            "ansible.builtin.include_role": {"name": f"teamhub.jupyter.{case['role']}", "tasks_from": "validate"},
        }
    else:
        task = {"name": f"Call module {case['module']}", f"teamhub.jupyter.{case['module']}": case["args"]}
    record = "{{ teamhub_bad_input | default({}) | combine({teamhub_case: teamhub_outcome}) }}"
    return {
        "name": f"Bad input case {case['id']}",
        "hosts": "teamhub",
        "gather_facts": False,
        "become": True,
        "vars": dict(case.get("vars", {}), teamhub_case=case["id"]),
        "tasks": [{
            "block": [task, {
                "name": "Record that the bad input was accepted",
                "ansible.builtin.set_fact": {"teamhub_bad_input": record},
                "vars": {"teamhub_outcome": {"failed": False}},
            }],
            "rescue": [{
                "name": "Record the failure",
                "ansible.builtin.set_fact": {"teamhub_bad_input": record},
                "vars": {"teamhub_outcome": {"failed": True, "result": "{{ ansible_failed_result }}"}},
            }],
        }],
    }


def failure_text(result):
    """The messages of a failed task: msg, per-item messages, argument spec errors."""
    texts = [str(result.get("msg", ""))]
    texts += [str(item.get("msg", "")) for item in result.get("results", []) if isinstance(item, dict)]
    texts += [str(err) for err in result.get("argument_errors", [])]
    return "\n".join(texts)


def play_output(output, case_id):
    """The part of ansible-playbook's output that the case's play printed."""
    for section in re.split(r"^(?=PLAY (?:RECAP|\[))", output, flags=re.M):
        if section.startswith(f"PLAY [Bad input case {case_id}]"):
            return section
    return ""


def forbidden_leaks(case, result, output):
    """Where the case's `forbid` regex (a password, say) shows: its failure text, the whole
    failed result (loop items included) or what its play printed. Empty when nowhere."""
    places = {"the failure message": failure_text(result), "the failed result": json.dumps(result),
              "the playbook output": play_output(output, case["id"])}
    return [where for where, text in places.items() if re.search(case["forbid"], text, re.I | re.S)]


@pytest.fixture(scope="module")
def bad_input_run(host):
    ephemeral = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    playbook = ephemeral / "bad-input.yml"
    results_file = ephemeral / "bad-input-results.json"
    results_file.unlink(missing_ok=True)
    plays = [{"name": "Gather the facts the roles' checks read", "hosts": "teamhub",
              "gather_facts": True, "gather_subset": ["min"], "tasks": []}]
    plays += [case_play(case) for case in CASES]
    plays.append({
        "name": "Hand the outcomes to the tests", "hosts": "teamhub", "gather_facts": False,
        "tasks": [{
            "name": "Write the outcomes on the controller",
            "ansible.builtin.copy": {"content": "{{ teamhub_bad_input | to_json }}", "dest": str(results_file), "mode": "0600"},
            "delegate_to": "localhost",
            # The test's own bookkeeping on the controller: not a change to the host.
            "changed_when": False,
        }],
    })
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    container = container_name(host)
    before = manifest(container)
    rc, output, recap = run_playbook(str(playbook))
    after = manifest(container)
    assert rc == 0 and results_file.exists(), f"the bad-input playbook did not run through (rc={rc}):\n{output[-4000:]}"
    return {"results": json.loads(results_file.read_text()), "before": before, "after": after, "recap": recap,
            "output": output}


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input_fails_with_a_clear_message(bad_input_run, case):
    outcome = bad_input_run["results"].get(case["id"])
    assert outcome is not None, f"case {case['id']} did not run"
    assert outcome["failed"], f"{case['id']}: the bad input was accepted"
    text = failure_text(outcome["result"])
    assert re.search(case["expect"], text, re.I | re.S), f"{case['id']}: message does not match {case['expect']!r}:\n{text}"
    if "forbid" in case:
        assert play_output(bad_input_run["output"], case["id"]), f"{case['id']}: its play is not in the output"
        leaks = forbidden_leaks(case, outcome["result"], bad_input_run["output"])
        assert not leaks, f"{case['id']}: {case['forbid']!r} shows in {', '.join(leaks)}"


def test_bad_input_left_the_host_unchanged(bad_input_run):
    assert bad_input_run["recap"], "no play recap"
    assert all(counts["changed"] == 0 for counts in bad_input_run["recap"].values()), bad_input_run["recap"]
    assert bad_input_run["before"] == bad_input_run["after"], differences(bad_input_run["before"], bad_input_run["after"])


def test_site_with_bad_settings_stops_before_anything_changes(host):
    container = container_name(host)
    before = manifest(container)
    bad = {
        "users_accounts": [{"name": "Eve Smith", "ssh_keys": ["ssh-rsa"]}],
        "kernels_list": [{"name": "Geo Kernel", "packages": ["geopandas"]}],
    }
    rc, output, recap = run_playbook("converge.yml", *extra_vars(bad))
    assert rc != 0, output[-3000:]
    assert "name 'Eve Smith' must be a POSIX user name" in output
    assert all(counts["changed"] == 0 for counts in recap.values()), recap
    assert "Set up the team server" not in output, "the site went on after a failed check"
    assert manifest(container) == before, differences(before, manifest(container))


def test_site_with_an_unknown_package_fails_and_leaves_no_environment(host):
    container = container_name(host)
    before = manifest(container)
    kernels = {"kernels_list": [
        {"name": "lean", "display_name": "Python 3 (lean)"},
        {"name": "ghost", "packages": ["teamhub-no-such-package-faults"]},
    ]}
    rc, output, recap = run_playbook("converge.yml", "--tags", "kernels", *extra_vars(kernels))
    assert rc != 0, output[-3000:]
    assert "packages not found: teamhub-no-such-package-faults" in output, output[-3000:]
    assert all(counts["changed"] == 0 for counts in recap.values()), recap
    assert not host.file("/opt/conda/envs/ghost").exists, "a failed create left an environment behind"
    assert not host.file(f"{KERNEL}/ghost").exists
    after = manifest(container)
    assert after == before, differences(before, after)
