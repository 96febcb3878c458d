"""Run the scenario's playbooks from the tests, and read their output."""

import os
import re
import subprocess
import sys

SCENARIO = os.environ.get("MOLECULE_SCENARIO_DIRECTORY", os.path.dirname(os.path.dirname(__file__)))
PROJECT = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.path.dirname(os.path.dirname(SCENARIO)))
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE")


def run_playbook(host, *args, playbook=None):
    """Run converge.yml (or another playbook) against this host only; return (rc, output)."""
    name = host.backend.get_hostname()
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
        "-i", INVENTORY,
        "--limit", name,
        playbook or os.path.join(SCENARIO, "converge.yml"),
        *args,
    ]
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False, env=env)
    return proc.returncode, re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)


def recap(output, name):
    """The PLAY RECAP counters of one host, as a dict."""
    for line in output.splitlines():
        if line.startswith(name + " ") and "ok=" in line:
            return {k: int(v) for k, v in (f.split("=") for f in line.split()[2:])}
    raise AssertionError("no recap for %s in:\n%s" % (name, output[-3000:]))
