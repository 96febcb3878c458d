"""Role teamhub.jupyter.miniconda on the scenario's hosts (stand-in installer)."""

import json
import os

import pytest
import yaml
from playbook import SCENARIO, recap, run_playbook

PREFIX = "/opt/conda"
ADMINS = "teamhub-admins"


def test_conda_installed(host):
    conda = host.file(PREFIX + "/bin/conda")
    assert conda.is_file
    assert conda.mode & 0o111
    assert host.file(PREFIX + "/condabin/conda").is_file
    assert host.file(PREFIX + "/etc/profile.d/conda.sh").is_file
    assert host.file(PREFIX + "/conda-meta/history").is_file
    assert host.run(PREFIX + "/bin/python -c 'print(1)'").stdout.strip() == "1"


def test_installer_not_left_behind(host):
    assert host.run("ls -d /tmp/teamhub-miniconda.* 2>/dev/null").stdout == ""


def test_condarc(host):
    f = host.file(PREFIX + "/.condarc")
    assert f.user == "root"
    assert f.group == "root"
    assert f.mode == 0o644
    rc = yaml.safe_load(f.content_string)
    assert rc["channels"] == ["defaults"]
    assert rc["ssl_verify"] == "/etc/ssl/certs/ca-certificates.crt"
    assert rc["auto_activate_base"] is False
    assert rc["always_yes"] is False
    assert rc["channel_priority"] == "strict"
    assert rc["pkgs_dirs"] == [PREFIX + "/pkgs", "~/.conda/pkgs"]
    assert rc["envs_dirs"] == [PREFIX + "/envs", "~/.conda/envs"]
    # No proxy, no mirror set in this scenario: nothing written for them.
    for key in ("proxy_servers", "channel_alias", "default_channels", "custom_channels"):
        assert key not in rc


def test_profile_script_gives_conda_to_every_login_shell(host):
    f = host.file("/etc/profile.d/conda.sh")
    assert f.user == "root"
    assert f.mode == 0o644
    assert PREFIX + "/etc/profile.d/conda.sh" in f.content_string
    out = host.run("su - nobody -s /bin/bash -c 'type -t conda; echo $CONDA_EXE'")
    assert out.rc == 0, out.stderr
    assert out.stdout.split() == ["function", PREFIX + "/bin/conda"]
    assert not host.file("/root/.bashrc").contains("conda")


def test_only_root_may_write_the_installation(host):
    """Root runs conda from the prefix and every login shell sources its profile script:
    no other account owns or may write anything in it, environments included."""
    top = host.file(PREFIX)
    assert (top.user, top.group, top.mode) == ("root", "root", 0o755)
    strays = host.run("find %s \\( ! -user root -o ! -group root -o ! -type l -perm /022 \\) -print" % PREFIX)
    assert strays.rc == 0 and strays.stdout == "", strays.stdout[:2000]


def test_an_admin_cannot_change_what_root_runs_and_uses_their_own_envs(host):
    """A hub admin (the admin group) cannot write bin/, etc/profile.d/ or the shared
    envs; like every member, their own environments go to ~/.conda (second in envs_dirs)."""
    host.run_expect([0], "groupadd -f %s" % ADMINS)
    host.run_expect([0, 9], "useradd -m -G %s conda-admin" % ADMINS)
    for target in ("bin/teamhub-evil", "etc/profile.d/teamhub-evil.sh", "envs/by-admin", ".condarc"):
        attempt = host.run("su conda-admin -s /bin/sh -c 'umask 002; echo x >> %s/%s'" % (PREFIX, target))
        assert attempt.rc != 0, target
    assert not host.file(PREFIX + "/bin/teamhub-evil").exists
    assert "x" not in host.file(PREFIX + "/.condarc").content_string.splitlines()
    home = host.run("su - conda-admin -s /bin/sh -c 'mkdir -p ~/.conda/envs && test -w ~/.conda/envs'")
    assert home.rc == 0, home.stderr


def test_check_mode_changes_nothing(host):
    rc, out = run_playbook(host, "--check", "--diff")
    assert rc == 0, out[-3000:]
    assert recap(out, host.backend.get_hostname())["changed"] == 0, out[-3000:]


def test_check_mode_on_a_bare_host(host):
    """A first run in check mode reports the install and leaves nothing."""
    rc, out = run_playbook(host, "--check", "-e", "miniconda_prefix=/opt/conda-check")
    assert rc == 0, out[-3000:]
    assert recap(out, host.backend.get_hostname())["changed"] > 0
    assert not host.file("/opt/conda-check").exists


def only_on_debian12(host):
    if host.backend.get_hostname() != "teamhub-conda-debian12":
        pytest.skip("failure modes are run on one platform")


def test_wrong_checksum_fails_and_leaves_no_prefix(host):
    only_on_debian12(host)
    rc, out = run_playbook(
        host, "-e", "miniconda_prefix=/opt/conda-bad",
        "-e", "miniconda_installer_checksum=sha256:" + "0" * 64,
    )
    assert rc != 0
    assert "Checksum mismatch" in out or "checksum" in out.lower()
    assert "Nothing was left in /opt/conda-bad" in out
    assert not host.file("/opt/conda-bad").exists


def test_failing_installer_leaves_no_half_made_prefix(host):
    only_on_debian12(host)
    rc, out = run_playbook(
        host, "-e", "miniconda_prefix=/opt/conda-half",
        "-e", json.dumps({
            "miniconda_installer_url": "http://teamhub-conda-mirror:8080/broken-installer.sh",
            "miniconda_installer_checksum": "",
            "miniconda_version": "latest",
        }),
    )
    assert rc != 0
    assert "No space left on device" in out
    assert not host.file("/opt/conda-half").exists


def test_rerun_never_reinstalls(host):
    only_on_debian12(host)
    before = host.file(PREFIX + "/conda-meta/history").content_string
    host.run_expect([0], "echo marker > %s/teamhub-marker" % PREFIX)
    # What an operator loosened by hand goes back to root-only, and the run says so.
    host.run_expect([0], "chmod g+w %s/bin && chown nobody %s/etc/profile.d/conda.sh" % (PREFIX, PREFIX))
    rc, out = run_playbook(host)
    assert rc == 0, out[-3000:]
    assert host.file(PREFIX + "/conda-meta/history").content_string == before
    assert host.file(PREFIX + "/teamhub-marker").exists
    fixed = out.split("Give every entry in the prefix back to root", 1)[1].split("TASK", 1)[0]
    assert "changed: [%s]" % host.backend.get_hostname() in fixed, fixed
    assert host.file(PREFIX + "/bin").mode == 0o755
    assert host.file(PREFIX + "/etc/profile.d/conda.sh").user == "root"
    host.run_expect([0], "rm -f %s/teamhub-marker" % PREFIX)


# --- Shared environments (teamhub.jupyter.conda_env through the role) -------------


def conda_json(host, *args):
    out = host.run(" ".join([PREFIX + "/bin/conda"] + list(args) + ["--json"]))
    assert out.rc == 0, out.stdout + out.stderr
    return json.loads(out.stdout)


def package_names(host, env):
    return {p["name"] for p in conda_json(host, "list", "-n", env)}


def run_with_environments(host, environments, *args):
    """Run converge.yml with another miniconda_environments list."""
    return run_playbook(host, "-e", json.dumps({"miniconda_environments": environments}), *args)


def test_environment_with_packages_and_pip_packages(host):
    assert "six" in package_names(host, "tiny")
    env = PREFIX + "/envs/tiny"
    # Shared environments are managed through Ansible; every member can use them.
    assert host.file(env).mode & 0o005 == 0o005
    assert host.run(env + "/bin/python -c 'import six, tabulate'").rc == 0


def test_environment_from_file(host):
    assert host.file(PREFIX + "/etc/teamhub/environments/fromfile.yml").exists
    assert "six" in package_names(host, "fromfile")
    assert "toolz" not in package_names(host, "fromfile")


def test_member_uses_shared_environment(host):
    out = host.run(
        "su - nobody -s /bin/bash -c 'conda activate tiny && python -c \"import tabulate\" && echo $CONDA_PREFIX'"
    )
    assert out.rc == 0, out.stdout + out.stderr
    assert out.stdout.strip() == PREFIX + "/envs/tiny"


def test_changed_environment_file_is_applied(host):
    only_on_debian12(host)
    v2 = os.path.join(SCENARIO, "files", "environment-v2.yml")
    rc, out = run_with_environments(host, [{"name": "fromfile", "src": v2}])
    assert rc == 0, out[-3000:]
    assert recap(out, host.backend.get_hostname())["changed"] > 0
    assert {"six", "toolz"} <= package_names(host, "fromfile")
    assert host.run(PREFIX + "/envs/fromfile/bin/python -c 'import tabulate'").rc == 0
    rc, out = run_with_environments(host, [{"name": "fromfile", "src": v2}])
    assert rc == 0, out[-3000:]
    assert recap(out, host.backend.get_hostname())["changed"] == 0, out[-3000:]


def test_unknown_package_fails_clearly_and_leaves_no_environment(host):
    only_on_debian12(host)
    rc, out = run_with_environments(
        host, [{"name": "broken", "packages": ["teamhub-no-such-package-xyz"]}]
    )
    assert rc != 0
    assert "teamhub-no-such-package-xyz" in out
    assert not host.file(PREFIX + "/envs/broken").exists


def test_failed_update_leaves_existing_environment_untouched(host):
    only_on_debian12(host)
    before = conda_json(host, "list", "-n", "tiny")
    rc, out = run_with_environments(
        host, [{"name": "tiny", "packages": ["six", "teamhub-no-such-package-xyz"]}]
    )
    assert rc != 0
    assert "teamhub-no-such-package-xyz" in out
    assert conda_json(host, "list", "-n", "tiny") == before
    assert host.run(PREFIX + "/envs/tiny/bin/python -c 'import six, tabulate'").rc == 0


def test_check_mode_reports_a_package_to_add_and_adds_nothing(host):
    """A dry run of conda install on an existing environment: changed, and nothing installed."""
    only_on_debian12(host)
    before = conda_json(host, "list", "-n", "tiny")
    rc, out = run_with_environments(host, [{"name": "tiny", "packages": ["six", "toolz"]}], "--check")
    assert rc == 0, out[-3000:]
    assert recap(out, host.backend.get_hostname())["changed"] > 0, out[-3000:]
    assert conda_json(host, "list", "-n", "tiny") == before


def test_absent_environment_is_removed(host):
    only_on_debian12(host)
    rc, out = run_with_environments(host, [{"name": "fromfile", "state": "absent"}])
    assert rc == 0, out[-3000:]
    assert not host.file(PREFIX + "/envs/fromfile").exists
    assert PREFIX + "/envs/fromfile" not in conda_json(host, "env", "list")["envs"]
    rc, out = run_with_environments(host, [{"name": "fromfile", "state": "absent"}])
    assert rc == 0, out[-3000:]
    assert recap(out, host.backend.get_hostname())["changed"] == 0


def test_upgrade_updates_conda_in_place(host):
    """miniconda_upgrade runs conda update -n base conda; already current: no change."""
    only_on_debian12(host)
    rc, out = run_playbook(host, "-e", json.dumps({"miniconda_upgrade": True, "miniconda_environments": []}))
    assert rc == 0, out[-3000:]
    assert "Update conda in the base environment" in out
    assert recap(out, host.backend.get_hostname())["changed"] == 0, out[-3000:]
