"""The whole site from a member's point of view: web login through PAM, a server
started by the hub, and the team's conda kernel running code with its environment
activated. conda here is the stand-in from tests/fakeconda (no conda channel answers
in CI): the environment is a venv with pandas from PyPI, registered by the real
kernels role and kernelspec module."""

import pytest
from hub_client import Hub
from teamhub_testing import container_name


@pytest.fixture
def hub(host, service_token, passwords):
    return Hub(container_name(host), service_token, passwords)


def test_member_logs_in_through_the_form_and_reaches_their_server(hub, passwords):
    session, response = hub.login_response("bob", passwords["bob"])
    assert response.status_code == 302
    assert "/hub/" in response.headers["Location"]
    assert hub.login_response("bob", "wrong")[1].status_code in (200, 403)
    assert hub.login_response("carol", "no-password-set")[1].status_code in (200, 403)
    assert session.cookies.get("jupyterhub-session-id") is not None


def test_team_kernels_are_listed_and_the_server_kernel_is_hidden(hub, team_kernels):
    hub.fresh_server("alice")  # a server started after the kernels role ran
    response = hub.user_api("GET", "alice", "/kernelspecs")
    assert response.status_code == 200, response.text[:300]
    specs = response.json()["kernelspecs"]
    assert {name: spec["spec"]["display_name"] for name, spec in specs.items()} == team_kernels
    assert "python3" not in specs
    # New notebooks get the first team kernel, not the hidden server kernel.
    assert response.json()["default"] == next(iter(team_kernels))
    assert "retired" not in specs, "kernels_exclusive must remove kernels no longer listed"


def test_kernel_taken_out_of_the_list_goes_for_members_on_the_next_run(host, kernel_retirement, team_kernels):
    """kernels_exclusive: a kernel an earlier run registered, then dropped from
    kernels_list, disappears from a running member server's kernel list."""
    run = kernel_retirement[container_name(host)]
    assert run["added_rc"] == 0, run["added_output"][-3000:]
    assert run["added"] == {**team_kernels, "scratch": "Scratch (molecule)"}
    assert run["retired_rc"] == 0, run["retired_output"][-3000:]
    assert run["retired_changed"] >= 1
    assert run["retired"] == team_kernels
    assert not host.file("/usr/local/share/jupyter/kernels/scratch").exists


def test_dev_default_kernel_runs_pandas_with_its_environment_activated(host, hub):
    prefix = "/opt/conda/envs/dev-default"
    # A variable an activation script of the environment sets, as conda packages do.
    host.run(f"mkdir -p {prefix}/etc/conda/activate.d && "
             f"echo 'export TEAMHUB_ACTIVATED=yes' > {prefix}/etc/conda/activate.d/teamhub-test.sh")
    hub.start_server("alice")
    kernel = hub.start_kernel("alice", "dev-default")
    out, err = hub.execute("alice", kernel, (
        "import os, sys, pandas\n"
        "print(pandas.__version__)\n"
        "print(sys.prefix)\n"
        "print(os.environ.get('CONDA_PREFIX'), os.environ.get('TEAMHUB_ACTIVATED'), os.environ.get('TEAMHUB_KERNEL'))\n"
    ))
    assert err == ""
    version, sys_prefix, activation = out.splitlines()
    installed = host.run(f"{prefix}/bin/python -c 'import pandas; print(pandas.__version__)'").stdout.strip()
    assert version == installed
    # The kernel runs from the release the environment's name points at (role kernels'
    # releases: a kernel keeps its release while a newer one is built beside it).
    release = host.check_output(f"readlink {prefix}")
    assert release.startswith("/opt/conda/envs/.releases/dev-default-"), release
    assert sys_prefix == release
    assert activation.split() == [release, "yes", "dev-default"]


def test_kernel_runs_as_the_member(hub):
    hub.start_server("alice")
    kernel = hub.start_kernel("alice", "dev-default")
    out, err = hub.execute("alice", kernel, "import os, pwd; print(pwd.getpwuid(os.getuid()).pw_name, os.getcwd())")
    assert err == ""
    assert out.split() == ["alice", "/home/alice"]
