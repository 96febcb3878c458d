"""Backups and a disaster recovery, with real restic and a real OpenSSH server.

alice works on hub host A (a notebook, a file in the shared directory, an API token);
A backs up to a local path and over SFTP to the target; B, a new server converged with
the same inventory (where alice has another UID), restores A's snapshot from the target:
alice logs in on B, finds her files byte for byte, her token works, admins and groups
are as before. Then the failures: a file written during a backup, the target down, a
wrong repository password, a damaged pack. The tests run in file order.
"""

import json
import time

import pytest
from conftest import A, B, LOCAL, SFTP
from hub_client import Hub
from teamhub_testing import extra_vars, run_playbook

NOTEBOOK = "/home/alice/analysis.ipynb"
SHARED = "/srv/teamhub/shared/results.csv"
RESTIC = "RESTIC_PASSWORD_FILE=/etc/teamhub/backup/password restic --no-cache -r "
RESTORE = "../../playbooks/restore.yml"


def sha256(host, path):
    result = host.run(f"sha256sum {path}")
    assert result.rc == 0, result.stderr
    return result.stdout.split()[0]


# systemd's own line at the end of a run of a unit, which journald records after the
# unit's output: once it is in the journal, so is everything the run printed.
RUN_ENDED = ("Finished ", "Failed to start ", "Failed with result")


def journal_of_run(host, unit, started):
    """The journal of the run of UNIT that began at STARTED (epoch seconds), once it is
    complete: journald may still be writing it when systemctl returns, on a busy host."""
    journal = ""
    for _attempt in range(60):
        journal = host.run(f"journalctl -u {unit} --since=@{started} --no-pager").stdout
        if any(line in journal for line in RUN_ENDED):
            break
        time.sleep(0.5)
    return journal


def backup(host):
    """One run of the backup unit, as the timer starts it: (rc, journal of this run)."""
    started = host.check_output("date +%s")
    result = host.run("systemctl start teamhub-backup.service")
    return result.rc, journal_of_run(host, "teamhub-backup.service", started)


@pytest.fixture(scope="module")
def team_work(host_a, hub_a):
    """What alice leaves on A: a notebook, a shared file, an API token, and a cache."""
    hub_a.start_server("alice")
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": "print('kept')"}
    content = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    saved = hub_a.user_api("PUT", "alice", "/contents/analysis.ipynb", json={"type": "notebook", "content": content})
    assert saved.status_code in (200, 201), saved.text[:300]
    assert host_a.run(f"runuser -u alice -- sh -c 'echo region,total > {SHARED}; echo north,42 >> {SHARED}'").rc == 0
    assert host_a.run("runuser -u alice -- sh -c 'mkdir -p ~/.cache/pip && echo junk > ~/.cache/pip/junk'").rc == 0
    token = hub_a.user_token("alice")
    hub_a.stop_server("alice")
    return {"token": token, "notebook": sha256(host_a, NOTEBOOK), "shared": sha256(host_a, SHARED)}


def test_a_backup_reaches_both_repositories(host_a, target, team_work):
    rc, journal = backup(host_a)
    assert rc == 0, journal
    status = host_a.run("teamhub-backup status")
    assert status.rc == 0, status.stdout + status.stderr
    for repository in (LOCAL, SFTP):
        assert f"{repository}: last good snapshot 20" in status.stdout
    assert target.file("/srv/restic/teamhub/config").exists
    listing = host_a.check_output(RESTIC + LOCAL + " ls latest")
    for path in (NOTEBOOK, SHARED, "/var/lib/teamhub/backup/staging/hub/jupyterhub.sqlite",
                 "/var/lib/teamhub/backup/staging/hub/jupyterhub_cookie_secret", "/var/lib/teamhub/backup/staging/accounts.json"):
        assert path in listing.splitlines(), path
    assert "/home/alice/.cache/pip/junk" not in listing
    # The database in the snapshot is a consistent copy (SQLite's online backup).
    host_a.check_output(RESTIC + LOCAL + " dump latest /var/lib/teamhub/backup/staging/hub/jupyterhub.sqlite > /root/db-copy.sqlite")
    check = host_a.check_output("python3 -c \"import sqlite3; c = sqlite3.connect('/root/db-copy.sqlite');"
                                " print(c.execute('PRAGMA integrity_check').fetchone()[0], c.execute('select count(*) from users').fetchone()[0])\"")
    assert check.split()[0] == "ok" and int(check.split()[1]) >= 2, check
    # The repository password is in no log and on no command line.
    assert "teamhub-backup-scenario-password" not in journal
    assert host_a.file("/etc/teamhub/backup/password").mode == 0o600


def test_a_new_server_takes_over_from_the_snapshot(host_a, host_b, hub_b, team_work):
    # alice has another UID on B (prepare.yml made an account there first).
    assert host_b.user("alice").uid != host_a.user("alice").uid
    rc, output, recap = run_playbook(RESTORE, "--limit", B, *extra_vars({"restore_repository": SFTP}))
    assert rc == 0, output[-3000:]
    assert recap[B]["failed"] == 0
    assert "Restored snapshot" in output and "/home/alice" in output and "/srv/teamhub/shared" in output, output[-2000:]
    assert sha256(host_b, NOTEBOOK) == team_work["notebook"]
    assert sha256(host_b, SHARED) == team_work["shared"]
    assert host_b.file(NOTEBOOK).user == "alice" and host_b.file(SHARED).user == "alice"
    assert host_b.file("/home/alice").user == "alice" and host_b.file("/home/alice").mode == 0o700
    # The hub database and secrets came back: alice's API token from A works on B, and
    # admins and groups are as before.
    Hub.wait(lambda: hub_b.api("GET", "/").status_code == 200, 180, "B's hub after the restore")
    me = hub_b.api("GET", "/user", token=team_work["token"])
    assert me.status_code == 200 and me.json()["name"] == "alice", me.text[:300]
    alice = hub_b.user_model("alice")
    assert alice["admin"] is True and "analysts" in alice["groups"]
    # alice logs in on B with her password and finds her notebook.
    hub_b.login("alice")
    hub_b.start_server("alice")
    found = hub_b.user_api("GET", "alice", "/contents/analysis.ipynb")
    assert found.status_code == 200 and "print('kept')" in json.dumps(found.json()["content"])
    hub_b.stop_server("alice")


def test_a_second_restore_refuses_homes_in_use(host_b):
    before = sha256(host_b, NOTEBOOK)
    rc, output, _recap = run_playbook(RESTORE, "--limit", B, *extra_vars({"restore_repository": SFTP}))
    assert rc == 0, output[-3000:]
    assert "home of alice: /home/alice is in use; --overwrite replaces it" in output, output[-2000:]
    assert sha256(host_b, NOTEBOOK) == before


def test_a_file_written_during_the_backup_leaves_a_sound_snapshot(host_a, team_work):
    writer = ("runuser -u alice -- sh -c 'i=0; while [ $i -lt 2000 ]; do echo line $i >> ~/growing.log; "
              "i=$((i+1)); sleep 0.002; done' >/dev/null 2>&1 &")
    assert host_a.run(writer).rc == 0
    rc, journal = backup(host_a)
    assert rc == 0, journal
    checked = host_a.run("teamhub-backup check --read-data-subset 100%")
    assert checked.rc == 0, checked.stdout + checked.stderr
    assert host_a.check_output(RESTIC + LOCAL + f" dump latest {NOTEBOOK} | sha256sum").split()[0] == team_work["notebook"]


def test_the_target_down_fails_the_unit_loudly_and_the_next_run_succeeds(host_a, target):
    target.run("systemctl stop ssh.socket ssh.service")
    assert not target.service("ssh").is_running
    try:
        rc, journal = backup(host_a)
        assert rc != 0
        assert host_a.run("systemctl is-failed teamhub-backup.service").stdout.strip() == "failed"
        assert f"{SFTP}: cannot open the repository" in journal and "Connection refused" in journal, journal
        status = host_a.run("teamhub-backup status")
        assert status.rc == 1
        assert f"{SFTP}: last good snapshot 20" in status.stdout and "failed" in status.stdout, status.stdout
    finally:
        target.check_output("systemctl start ssh.service")
    rc, journal = backup(host_a)
    assert rc == 0, journal
    assert host_a.run("teamhub-backup status").rc == 0


def test_a_wrong_password_restores_nothing(host_b):
    before = sha256(host_b, NOTEBOOK)
    host_b.check_output("cp -p /etc/teamhub/backup/password /root/password.saved && printf wrong > /etc/teamhub/backup/password")
    try:
        rc, output, _recap = run_playbook(RESTORE, "--limit", B, *extra_vars({"restore_repository": SFTP, "restore_overwrite": True}))
    finally:
        host_b.check_output("mv /root/password.saved /etc/teamhub/backup/password")
    assert rc != 0
    assert "the repository password is wrong" in output, output[-2000:]
    assert sha256(host_b, NOTEBOOK) == before
    assert not host_b.run("ls -d /home/alice.before-restore-*").stdout.strip()


def test_a_rerun_after_backups_changes_nothing():
    rc, output, recap = run_playbook("converge.yml")
    assert rc == 0, output[-3000:]
    assert recap[A]["changed"] == 0 and recap[B]["changed"] == 0, output[-3000:]


def test_the_check_finds_a_damaged_pack(host_a):
    damage = ("python3 -c \"import glob, os; pack = sorted(glob.glob('" + LOCAL + "/data/*/*'), key=os.path.getsize)[-1];"
              " f = open(pack, 'r+b'); f.seek(os.path.getsize(pack) // 2); f.write(b'teamhub-damage'); print(pack)\"")
    pack = host_a.check_output(damage)
    started = host_a.check_output("date +%s")
    result = host_a.run("systemctl start teamhub-backup-check.service")
    assert result.rc != 0
    journal = journal_of_run(host_a, "teamhub-backup-check.service", started)
    assert f"{LOCAL}: restic check found a problem" in journal, journal
    status = host_a.run("teamhub-backup status")
    assert "last check" in status.stdout and "FAILED" in status.stdout, (pack, status.stdout)


def test_a_member_new_to_both_hosts_of_a_run_gets_one_uid_on_both(host_a, host_b):
    """Hosts converged in one run give a member new to them all one UID (homes shared
    between hosts need it), and one the list gives its uid gets that; a uid that would
    renumber an existing account stops the run before anything changes, naming the host."""
    team = [{"name": "alice"}, {"name": "erin"}, {"name": "frank", "uid": 3001}]
    rc, output, recap = run_playbook("users.yml", *extra_vars({"users_accounts": team}))
    assert rc == 0, output[-3000:]
    erin = host_a.user("erin").uid
    assert erin == host_b.user("erin").uid, output[-2000:]
    # Above every UID in use on either host.
    assert erin > max(host_a.user("alice").uid, host_b.user("alice").uid, host_b.user("earlier").uid)
    assert host_a.user("frank").uid == host_b.user("frank").uid == 3001
    renumbered = [{"name": "alice", "uid": host_a.user("alice").uid}, {"name": "grace"}]
    rc, output, recap = run_playbook("users.yml", *extra_vars({"users_accounts": renumbered}))
    assert rc != 0
    assert (f"users_accounts[alice].uid is {host_a.user('alice').uid}, but alice has UID {host_b.user('alice').uid} "
            f"on {B}: TeamHub never renumbers an account") in " ".join(output.split()), output[-3000:]
    assert not host_a.user("grace").exists and not host_b.user("grace").exists
