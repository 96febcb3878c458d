"""The real Miniforge, installed and configured by role miniconda."""

import json

PREFIX = "/opt/conda"


def test_conda_runs_with_the_role_configuration(host):
    out = host.run("%s/bin/conda config --show channels ssl_verify envs_dirs --json" % PREFIX)
    assert out.rc == 0, out.stderr
    config = json.loads(out.stdout)
    assert config["channels"] == ["conda-forge"]
    assert config["ssl_verify"] == "/etc/ssl/certs/ca-certificates.crt"
    assert config["envs_dirs"][0] == PREFIX + "/envs"


def test_shared_environment_created(host):
    out = host.run("%s/bin/conda list -n smoke --json" % PREFIX)
    assert out.rc == 0, out.stderr
    assert "tzdata" in [p["name"] for p in json.loads(out.stdout)]


def test_login_shell_activates(host):
    out = host.run("su - nobody -s /bin/bash -c 'conda activate smoke && echo $CONDA_PREFIX'")
    assert out.rc == 0, out.stderr
    assert out.stdout.strip() == PREFIX + "/envs/smoke"
