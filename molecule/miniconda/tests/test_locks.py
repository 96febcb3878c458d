"""Locked environments (issue 18): two servers converged from the same locks hold the
same packages; drift is named, reported by --check and put back; a bad lock stops before
the environment changes; playbooks/lock.yml fetches the locks a server runs.

The kernel "locked" (molecule.yml) is built by role kernels from files/locked.conda.lock
and files/locked.pip.lock on teamhub-conda-debian12 and on teamhub-conda-twin. conda is
the stand-in (tests/fakeconda): its package URLs are https://fakeconda.invalid/..., their
md5 a digest of the URL, and their contents the PyPI releases of the same versions.
"""

import hashlib
import json
import os

import pytest
import testinfra
from playbook import INVENTORY, PROJECT, SCENARIO, recap, run_playbook

PREFIX = "/opt/conda"
ENV = PREFIX + "/envs/locked"
FILES = os.path.join(SCENARIO, "files")
TWIN = "teamhub-conda-twin"


def read(name):
    with open(os.path.join(FILES, name)) as fh:
        return fh.read()


LOCK = read("locked.conda.lock")
PIP_LOCK = read("locked.pip.lock")


@pytest.fixture(scope="module")
def twin():
    return testinfra.get_host("ansible://" + TWIN, ansible_inventory=INVENTORY)


def explicit(host):
    out = host.run(PREFIX + "/bin/conda list --explicit --md5 -n locked")
    assert out.rc == 0, out.stderr
    return out.stdout


def freeze(host, python=ENV + "/bin/python"):
    out = host.run(python + " -m pip freeze --all")
    assert out.rc == 0, out.stderr
    return out.stdout


def test_two_servers_from_the_same_locks_hold_the_same_packages(host, twin):
    for server in (host, twin):
        assert explicit(server) == LOCK
        assert server.run(ENV + "/bin/python -c 'import ipykernel, tabulate'").rc == 0
        kernel = json.loads(server.file("/usr/local/share/jupyter/kernels/locked/kernel.json").content_string)
        assert kernel["display_name"] == "Python 3 (locked)"
        assert server.file("/etc/teamhub/environments/locked.conda.lock").content_string == LOCK
        assert server.file("/etc/teamhub/environments/locked.pip.lock").mode == 0o644
    assert freeze(host) == freeze(twin)
    assert "tabulate==0.9.0" in freeze(host).splitlines()


def test_the_lock_playbook_fetches_what_the_server_runs(host, tmp_path):
    history = host.file(ENV + "/conda-meta/history").content_string
    rc, out = run_playbook(host, "-e", "teamhub_locks_dir=%s" % tmp_path,
                           "-e", "teamhub_locks_from=" + host.backend.get_hostname(),
                           playbook=os.path.join(PROJECT, "playbooks", "lock.yml"))
    assert rc == 0, out[-3000:]
    # the server is only read (the changes counted are the files written on the controller)
    assert host.file(ENV + "/conda-meta/history").content_string == history
    assert explicit(host) == LOCK
    assert (tmp_path / "locked.conda.lock").read_text() == LOCK
    assert (tmp_path / "locked.pip.lock").read_text() == PIP_LOCK
    assert "Review them (git diff), commit them" in out


def test_drift_is_reported_by_check_and_put_back(host, twin):
    """A conda package changed and a pip package removed by hand: --check names both and
    changes nothing; a run puts both back and names them; the next run has nothing to do."""
    host.run_expect([0], PREFIX + "/bin/conda install --yes -n locked comm=0.2.2")
    host.run_expect([0], ENV + "/bin/python -m pip uninstall --yes tabulate")
    drifted = explicit(host)
    assert "/comm-0.2.2-fake_0.conda" in drifted
    name = host.backend.get_hostname()

    rc, out = run_playbook(host, "--check")
    assert rc == 0, out[-3000:]
    assert "conda comm: 0.2.2-fake_0 (lock: 0.2.3-fake_0)" in out and "pip tabulate: missing" in out, out[-3000:]
    assert "a run would put it back" in out
    assert explicit(host) == drifted
    assert host.run(ENV + "/bin/python -c 'import tabulate'").rc != 0

    rc, out = run_playbook(host)
    assert rc == 0, out[-3000:]
    assert "this run put it back: conda comm: 0.2.2-fake_0 (lock: 0.2.3-fake_0); pip tabulate: missing" in out
    assert explicit(host) == LOCK
    assert freeze(host) == freeze(twin)

    rc, out = run_playbook(host)
    assert rc == 0 and recap(out, name)["changed"] == 0, out[-3000:]


def bad_lock(tmp_path, line_for):
    """files/locked.conda.lock with the line of one package changed by line_for(line)."""
    lines = [line_for(line) if "/comm-" in line else line for line in LOCK.splitlines()]
    path = tmp_path / "bad.conda.lock"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def with_lock(path):
    return json.dumps({"kernels_list": [{"name": "locked", "display_name": "Python 3 (locked)", "lock_src": path,
                                         "pip_lock_src": os.path.join(FILES, "locked.pip.lock")}]})


def unknown_package(_line):
    url = "https://fakeconda.invalid/pkgs/main/linux-64/teamhub-no-such-package-1.0-fake_0.conda"
    return "%s#%s" % (url, hashlib.md5(url.encode()).hexdigest())


@pytest.mark.parametrize("line_for, message", [
    (lambda line: line.split("#")[0] + "#" + "0" * 32, "ChecksumMismatchError"),
    (unknown_package, "CondaHTTPError: HTTP 404 NOT FOUND for url <https://fakeconda.invalid/pkgs/main/linux-64/"
                      "teamhub-no-such-package-1.0-fake_0.conda>"),
], ids=["wrong-md5", "no-such-package"])
def test_a_bad_lock_fails_before_the_environment_changes(host, tmp_path, line_for, message):
    rc, out = run_playbook(host, "-e", with_lock(bad_lock(tmp_path, line_for)))
    assert rc != 0 and message in out, out[-3000:]
    assert explicit(host) == LOCK
    assert host.run(ENV + "/bin/python -c 'import ipykernel, tabulate'").rc == 0
    # put the good lock back on the host for the tests after this one
    rc, out = run_playbook(host)
    assert rc == 0, out[-3000:]


def test_a_lock_that_is_no_lock_stops_the_run_on_the_controller(host, tmp_path):
    path = tmp_path / "requirements.lock"
    path.write_text("@EXPLICIT\npandas==2.2.3\n")
    rc, out = run_playbook(host, "-e", with_lock(str(path)))
    assert rc != 0
    assert "kernels_list[locked]: lock_src %s line 2: 'pandas==2.2.3' is not a package URL" % path in out, out[-3000:]
    assert recap(out, host.backend.get_hostname())["changed"] == 0
    assert explicit(host) == LOCK
