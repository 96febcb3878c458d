"""The site playbook's users and sshd roles, verified from outside: real SSH logins
through the port published on 127.0.0.1, and the state of the converged host."""

import json
import os
import socket
import subprocess

from teamhub_testing import container_name, published_port, ssh


def test_member_logs_in_with_key_and_lands_in_home(host):
    result = ssh(container_name(host), "alice", "alice", "pwd; id -nG")
    assert result.returncode == 0, result.stderr
    home, groups = result.stdout.splitlines()
    assert home == "/home/alice"
    assert {"team", "teamhub-admins", "analysts"} <= set(groups.split())


def test_member_with_a_dotted_name_logs_in_with_key(host):
    result = ssh(container_name(host), "wang.lei", "wang.lei", "pwd; id -un")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/home/wang.lei", "wang.lei"]


def test_root_login_is_refused(host):
    assert host.file("/root/.ssh/authorized_keys").contains("ssh-ed25519")
    result = ssh(container_name(host), "root", "root")
    assert result.returncode == 255
    assert "Permission denied" in result.stderr


def test_password_login_is_not_offered(host):
    result = ssh(container_name(host), "alice", "alice", options=(
        "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"))
    assert result.returncode == 255
    # The server lists the methods it would accept: only publickey.
    assert "Permission denied (publickey)" in result.stderr


def test_account_outside_the_team_is_refused(host):
    assert host.user("outsider").exists
    assert host.file("/home/outsider/.ssh/authorized_keys").exists
    result = ssh(container_name(host), "outsider", "outsider")
    assert result.returncode == 255
    assert "Permission denied" in result.stderr


def test_revoked_key_no_longer_works(host):
    name = container_name(host)
    assert ssh(name, "carol", "carol").returncode == 0
    result = ssh(name, "carol", "carol-old")
    assert result.returncode == 255, "a key removed from ssh_keys must be revoked"


def test_homes_are_private(host):
    for user in ("alice", "bob", "carol"):
        home = host.file(f"/home/{user}")
        assert home.user == user
        assert home.mode == 0o700
    result = ssh(container_name(host), "bob", "bob", "ls /home/alice")
    assert result.returncode != 0
    assert "Permission denied" in result.stderr


def test_shared_directory_files_stay_writable_by_the_team(host):
    name = container_name(host)
    shared = host.file("/srv/teamhub/shared")
    assert shared.group == "team"
    assert shared.mode == 0o2770
    write = ssh(name, "alice", "alice", "umask 022; echo from-alice > ~/shared/notes-$$.txt && echo notes-$$.txt")
    assert write.returncode == 0, write.stderr
    note = write.stdout.strip()
    append = ssh(name, "bob", "bob", f"echo from-bob >> ~/shared/{note} && cat ~/shared/{note}")
    assert append.returncode == 0, append.stderr
    assert append.stdout.split() == ["from-alice", "from-bob"]
    assert host.file(f"/srv/teamhub/shared/{note}").group == "team"


def test_retired_member_is_locked_out_and_home_archived(host):
    assert not host.user("dave").exists
    assert ssh(container_name(host), "dave", "dave").returncode == 255
    archived = host.run("ls -d /var/lib/teamhub/archive/dave-*").stdout.split()
    assert len(archived) == 1
    assert host.file(f"{archived[0]}/analysis.txt").content_string == "dave's analysis\n"
    assert host.file("/var/lib/teamhub/archive").mode == 0o700


def test_new_members_find_the_welcome_notebook(host):
    notebook = host.file("/home/alice/Welcome.ipynb")
    assert notebook.user == "alice"
    cells = json.loads(notebook.content_string)["cells"]
    assert "# Welcome to the \"molecule\" team's JupyterHub" in "".join(cells[0]["source"])


def test_sshd_runs_the_hardened_configuration(host):
    effective = host.run("sshd -T -C user=alice,host=localhost,addr=127.0.0.1").stdout
    settings = dict(line.split(" ", 1) for line in effective.splitlines() if " " in line)
    assert settings["permitrootlogin"] == "no"
    assert settings["passwordauthentication"] == "no"
    assert settings["kbdinteractiveauthentication"] == "no"
    assert settings["allowgroups"] == "team"
    assert settings["ignoreuserknownhosts"] == "yes"
    # Members' keys are root's files only; an account outside the team keeps ~/.ssh.
    assert settings["authorizedkeysfile"] == "/etc/ssh/authorized_keys/%u"
    outsider = host.run("sshd -T -C user=outsider,host=localhost,addr=127.0.0.1").stdout
    assert "authorizedkeysfile /etc/ssh/authorized_keys/%u .ssh/authorized_keys" in outsider.splitlines()
    # DebianBanner no: the identification string no longer names Debian's patch level.
    with socket.create_connection(("127.0.0.1", published_port(container_name(host), 22)), timeout=60) as conn:
        banner = conn.makefile("rb").readline().decode()
    assert banner.startswith("SSH-2.0-OpenSSH_") and "Debian" not in banner, banner
    assert "chacha20-poly1305@openssh.com" in settings["ciphers"]
    assert "cbc" not in settings["ciphers"]
    assert host.service("ssh").is_running


# What root runs, imports or sources: conda (every run, every login shell), the hub's
# venv and proxy, the kernels' launchers, profile scripts, units and their drop-ins,
# the hub's configuration, sudo and sshd settings.
ROOT_RUNS = ["/opt/conda", "/opt/jupyterhub", "/usr/local/share/jupyter", "/etc/profile.d",
             "/etc/systemd/system", "/etc/jupyterhub", "/etc/sudoers.d", "/etc/ssh", "/usr/local/lib/teamhub"]


def test_nothing_root_runs_is_writable_by_another_account(host):
    # An admin (teamhub-admins) or any member who could write one of these would be root
    # at the next run, service start or login; users_admin_sudo is the only way to root.
    assert host.file("/opt/conda/bin/conda").exists and host.file("/opt/jupyterhub").is_directory
    roots = " ".join(p for p in ROOT_RUNS if host.file(p).exists)
    writable = host.run(
        f"find {roots} ! -type l \\( ! -user root -o -perm -g+w ! -group root -o -perm -o+w \\) -printf '%u:%g %m %p\\n'")
    assert writable.rc == 0, writable.stderr
    assert writable.stdout == "", writable.stdout[:3000]
    admin = host.run("su alice -s /bin/sh -c 'echo x >> /opt/conda/etc/profile.d/conda.sh'")
    assert admin.rc != 0, "an admin could write the profile script every login shell sources"


def test_downloads_came_through_the_configured_mirrors(host):
    # make test runs caching mirrors (scripts/mirrors.sh) and hands them to the roles
    # through network_apt_proxy, network_pip_index_url and network_npm_registry (their
    # test CA through network_ca_certificates). Without them (TEAMHUB_MIRRORS=0) the
    # host keeps its own sources and nothing names a mirror.
    apt_proxy, pip_index, npm_registry, mirrors = (os.environ.get(f"TEAMHUB_{name}", "") for name in (
        "APT_PROXY", "PIP_INDEX_URL", "NPM_REGISTRY", "MIRROR_CONTAINER"))
    apt_conf = host.file("/etc/apt/apt.conf.d/80teamhub-proxy")
    pip_conf = host.file("/etc/pip.conf").content_string
    npmrc = host.file("/etc/npmrc").content_string
    if not mirrors:
        assert not apt_conf.exists
        assert "index-url" not in pip_conf and "registry=" not in npmrc
        return
    assert f'Acquire::http::Proxy "{apt_proxy}";' in apt_conf.content_string.splitlines()
    assert f"index-url = {pip_index}" in pip_conf.splitlines()
    assert f"registry={npm_registry}" in npmrc.splitlines()
    # What the roles installed came through them: the mirrors' logs name this host's
    # address on their network next to a package of each kind the site installs.
    address = subprocess.run(
        ["docker", "inspect", "-f", "{{(index .NetworkSettings.Networks \"%s\").IPAddress}}"
         % os.environ["TEAMHUB_MIRROR_NETWORK"], container_name(host)],
        check=True, capture_output=True, text=True).stdout.strip()
    assert address

    def served(log, *words):
        found = subprocess.run(["docker", "exec", mirrors, "cat", f"/var/log/teamhub-mirrors/{log}"],
                               check=True, capture_output=True, text=True)
        return [line for line in found.stdout.splitlines() if all(w in line for w in words)]

    # apt-cacher-ng: "time|O|size|client|path" for a file sent to a client.
    assert served("apt/apt-cacher.log", "|O|", f"|{address}|", "/openssh-server_")
    assert served("pypi-access.log", f"{address} - ", "GET /index/jupyterhub/jupyterhub-", '" 200 ')
    assert served("npm.log", f'"remoteIP":"{address}"', "/configurable-http-proxy-", '"status":200')


def test_check_mode_on_converged_host_changes_nothing(host, check_run):
    rc, output, recap = check_run
    assert rc == 0, output[-3000:]
    assert recap[container_name(host)]["changed"] == 0, output[-3000:]


def test_bad_key_fails_before_anything_changes(host, bad_key_run):
    rc, output, recap = bad_key_run
    assert rc != 0
    assert "users_accounts[eve].ssh_keys" in output
    assert "not an OpenSSH public key" in output
    assert recap[container_name(host)]["changed"] == 0
    assert not host.user("eve").exists


def test_member_without_name_fails_naming_the_variable(host, nameless_run):
    rc, output, recap = nameless_run
    assert rc != 0
    assert "missing required arguments: name found in users_accounts" in output
    assert recap[container_name(host)]["changed"] == 0
