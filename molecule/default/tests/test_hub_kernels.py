"""The whole site from a member's point of view: web login through PAM, a server
started by the hub, and the team's conda kernel running code with its environment
activated. conda here is the stand-in from tests/fakeconda (no conda channel answers
in CI): the environment is a venv with pandas from PyPI, registered by the real
kernels role and kernelspec module."""

import pytest
from hub_client import Hub
from teamhub_testing import container_name

SERVICE_TOKEN = "7465616d6875622d64656661756c742d7363656e6172696f2d746f6b656e0a"
PASSWORDS = {"alice": "alice-password", "bob": "bob-password"}


@pytest.fixture
def hub(host):
    return Hub(container_name(host), SERVICE_TOKEN, PASSWORDS)


def test_member_logs_in_through_the_form_and_reaches_their_server(hub):
    session, response = hub.login_response("bob", PASSWORDS["bob"])
    assert response.status_code == 302
    assert "/hub/" in response.headers["Location"]
    assert hub.login_response("bob", "wrong")[1].status_code in (200, 403)
    assert hub.login_response("carol", "no-password-set")[1].status_code in (200, 403)
    assert session.cookies.get("jupyterhub-session-id") is not None


def test_team_kernels_are_listed_and_the_server_kernel_is_hidden(hub):
    hub.fresh_server("alice")  # a server started after the kernels role ran
    response = hub.user_api("GET", "alice", "/kernelspecs")
    assert response.status_code == 200, response.text[:300]
    specs = response.json()["kernelspecs"]
    assert "dev-default" in specs
    assert specs["dev-default"]["spec"]["display_name"] == "Python 3 (dev default)"
    assert "python3" not in specs
    assert "retired" not in specs, "kernels_exclusive must remove kernels no longer listed"


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
    assert sys_prefix == prefix
    assert activation.split() == [prefix, "yes", "dev-default"]


def test_kernel_runs_as_the_member(hub):
    hub.start_server("alice")
    kernel = hub.start_kernel("alice", "dev-default")
    out, err = hub.execute("alice", kernel, "import os, pwd; print(pwd.getpwuid(os.getuid()).pw_name, os.getcwd())")
    assert err == ""
    assert out.split() == ["alice", "/home/alice"]
