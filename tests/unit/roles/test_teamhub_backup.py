# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""roles/backup/files/teamhub-backup without restic: what it saves and how, what a restore
plans and how it gives files their owners. restic itself runs in the backup scenario."""

import json
import os
import sqlite3
import subprocess
import threading

import pytest
import role_files

backup = role_files.load('backup', 'teamhub-backup', 'teamhub_backup')

CONFIG = {
    'repositories': ['/srv/backup/teamhub', 'sftp:restic@target:/srv/restic/teamhub'],
    'ssh_key': '/etc/teamhub/backup/id_ed25519', 'known_hosts': '/etc/teamhub/backup/known_hosts',
    'host_key_checking': 'accept-new', 'hostname': 'hub-a', 'staging_dir': '/var/lib/teamhub/backup/staging',
    'keep': {'daily': '7', 'weekly': 0, 'monthly': '12'}, 'excludes': ['*.tmp'],
}


def test_sftp_repositories_log_in_with_the_hosts_own_key_and_known_hosts():
    options = backup.restic_options(CONFIG, CONFIG['repositories'][1])
    assert options[0] == '-o'
    command = options[1]
    assert command.startswith('sftp.command=ssh -i /etc/teamhub/backup/id_ed25519 ')
    assert '-o UserKnownHostsFile=/etc/teamhub/backup/known_hosts' in command
    assert '-o StrictHostKeyChecking=accept-new' in command and '-o BatchMode=yes' in command
    assert command.endswith(' restic@target -s sftp')
    assert backup.restic_options(CONFIG, 'sftp://restic@target:2222//srv/restic').pop().endswith('-p 2222 restic@target -s sftp')
    assert backup.restic_options(CONFIG, '/srv/backup/teamhub') == []


def test_the_backup_leaves_out_environments_venvs_and_caches():
    args = backup.backup_args(CONFIG, ['/var/lib/teamhub/backup/staging', '/home/alice'])
    assert args[:2] == ['backup', '--tag'] and '--exclude-caches' in args and '--one-file-system' in args
    pairs = list(zip(args, args[1:]))
    assert ('--exclude-if-present', 'pyvenv.cfg') in pairs and ('--exclude-if-present', 'conda-meta') in pairs
    assert ('--exclude', '/home/*/.cache') in pairs and ('--exclude', '*.tmp') in pairs
    assert ('--host', 'hub-a') in pairs
    assert args[-2:] == ['/var/lib/teamhub/backup/staging', '/home/alice']


def test_retention_skips_periods_of_zero():
    assert backup.forget_args(CONFIG) == ['forget', '--tag', 'teamhub', '--prune', '--group-by', 'host,tags',
                                          '--keep-daily', '7', '--keep-monthly', '12']


def test_the_snapshot_id_comes_from_restics_summary():
    output = '\n'.join([json.dumps({'message_type': 'status', 'percent_done': 0.5}), 'not json',
                        json.dumps({'message_type': 'summary', 'snapshot_id': 'ab12cd34ef'})])
    assert backup.snapshot_id(output) == 'ab12cd34ef'
    assert backup.snapshot_id('') == ''


@pytest.mark.parametrize('message, plain', [
    ('Fatal: wrong password or no key found', 'the repository password is wrong'),
    ('Fatal: unable to open repository: connection refused', 'connection refused'),
])
def test_restic_failures_are_said_plainly(message, plain):
    assert plain in backup.explain('sftp:x@y:/r', message)


def test_a_live_database_is_copied_consistently_while_it_is_written(tmp_path):
    live = str(tmp_path / 'jupyterhub.sqlite')
    db = sqlite3.connect(live, check_same_thread=False)
    db.execute('create table users (name text)')
    db.commit()
    stop = threading.Event()

    def write():
        count = 0
        while not stop.is_set() and count < 400:
            db.execute('insert into users values (?)', ('member%d' % count,))
            db.commit()
            count += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert backup.copy_database(live, str(tmp_path / 'copy.sqlite'))
    finally:
        stop.set()
        writer.join()
    copy = sqlite3.connect(str(tmp_path / 'copy.sqlite'))
    assert copy.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
    assert copy.execute('select count(*) from users').fetchone()[0] >= 0
    assert not backup.copy_database(str(tmp_path / 'missing.sqlite'), str(tmp_path / 'other.sqlite'))


def test_staging_holds_the_database_secrets_and_accounts(tmp_path, monkeypatch):
    hub = tmp_path / 'hub'
    hub.mkdir()
    sqlite3.connect(str(hub / 'jupyterhub.sqlite')).execute('create table t (x)')
    (hub / 'jupyterhub_cookie_secret').write_text('secret')
    (hub / 'jupyterhub.sqlite-wal').write_text('')
    os.symlink('/etc/passwd', str(hub / 'link'))
    config = {'staging_dir': str(tmp_path / 'staging'), 'hub_state_dir': str(hub), 'members': ['root', 'nobody-here'],
              'hub_members_file': str(tmp_path / 'hub-members.json'), 'conda_prefix': str(tmp_path / 'no-conda')}
    (tmp_path / 'hub-members.json').write_text(json.dumps({'daemon': {'added': 'x'}}))
    staging = backup.stage(config, backup.accounts_by_name(backup.member_names(config)))
    assert sorted(os.listdir(os.path.join(staging, 'hub'))) == ['jupyterhub.sqlite', 'jupyterhub_cookie_secret']
    assert os.stat(staging).st_mode & 0o777 == 0o700
    accounts = json.loads((tmp_path / 'staging' / 'accounts.json').read_text())
    assert sorted(accounts['users']) == ['daemon', 'root']
    assert accounts['users']['root']['uid'] == 0 and 'root' in accounts['groups']


def test_a_restore_plans_homes_by_name_and_refuses_homes_in_use(tmp_path):
    fresh, used, shared = tmp_path / 'fresh', tmp_path / 'used', tmp_path / 'shared'
    for path in (fresh, used, shared):
        path.mkdir()
    (fresh / '.bashrc').write_text('')
    (fresh / 'Welcome.ipynb').write_text('{}')
    (used / 'analysis.ipynb').write_text('{}')
    saved = {'users': {'alice': {'uid': 1000, 'home': '/home/alice'}, 'bob': {'uid': 1001, 'home': '/home/bob'},
                       'gone': {'uid': 1002, 'home': '/home/gone'}}}
    homes = {'alice': str(fresh), 'bob': str(used)}
    plan, refused = backup.restore_plan(saved, homes, str(shared), None, overwrite=False)
    assert [(what, source, destination) for what, source, destination, _fresh in plan] == [
        ('home of alice', '/home/alice', str(fresh)), ('shared directory', str(shared), str(shared))]
    assert any(r.startswith('gone: no such member on this host') for r in refused)
    assert any(r.startswith('home of bob: %s is in use' % used) for r in refused)
    plan, refused = backup.restore_plan(saved, homes, str(shared), None, overwrite=True)
    assert [what for what, _s, _d, _f in plan] == ['home of alice', 'home of bob', 'shared directory']


def test_owners_are_mapped_by_name_without_following_links(tmp_path):
    tree = tmp_path / 'home'
    (tree / 'work').mkdir(parents=True)
    (tree / 'work' / 'data.csv').write_text('x')
    os.symlink('/etc/shadow', str(tree / 'work' / 'link'))
    for path in (tree, tree / 'work', tree / 'work' / 'data.csv'):
        os.chown(str(path), 1500, 1500)
    os.lchown(str(tree / 'work' / 'link'), 1500, 1500)
    shadow = os.stat('/etc/shadow')
    uid_map, gid_map = backup.id_maps({'users': {'alice': {'uid': 1500}}, 'groups': {'team': 1500, 'gone': 7}},
                                      {'alice': 2100}, {'team': 2200})
    assert (uid_map, gid_map) == ({1500: 2100}, {1500: 2200})
    assert backup.map_owners(str(tree), uid_map, gid_map) == set()
    for path in (tree, tree / 'work', tree / 'work' / 'data.csv'):
        assert (os.stat(str(path)).st_uid, os.stat(str(path)).st_gid) == (2100, 2200)
    assert os.lstat(str(tree / 'work' / 'link')).st_uid == 2100
    assert (os.stat('/etc/shadow').st_uid, os.stat('/etc/shadow').st_gid) == (shadow.st_uid, shadow.st_gid)
    os.chown(str(tree / 'work' / 'data.csv'), 3333, 3333)
    assert 3333 in backup.map_owners(str(tree), uid_map, gid_map)


def test_a_home_in_use_is_kept_beside_and_a_fresh_one_replaced(tmp_path):
    for name in ('alice', 'bob'):
        (tmp_path / 'restored' / name).mkdir(parents=True)
        (tmp_path / 'restored' / name / 'analysis.ipynb').write_text(name)
    (tmp_path / 'alice').mkdir()
    (tmp_path / 'alice' / '.profile').write_text('')
    (tmp_path / 'bob').mkdir()
    (tmp_path / 'bob' / 'mine.txt').write_text('newer')
    assert backup.put_in_place(str(tmp_path / 'restored' / 'alice'), str(tmp_path / 'alice'), backup.FRESH_HOME, '.before') is None
    assert os.listdir(str(tmp_path / 'alice')) == ['analysis.ipynb']
    kept = backup.put_in_place(str(tmp_path / 'restored' / 'bob'), str(tmp_path / 'bob'), backup.FRESH_HOME, '.before')
    assert kept == str(tmp_path / 'bob.before') and os.listdir(kept) == ['mine.txt']
    assert os.listdir(str(tmp_path / 'bob')) == ['analysis.ipynb']


def test_repositories_are_chosen_by_number_or_name():
    assert backup.repository_index(CONFIG, None) == 0
    assert backup.repository_index(CONFIG, '2') == 1
    assert backup.repository_index(CONFIG, 'sftp:restic@target:/srv/restic/teamhub') == 1
    with pytest.raises(backup.Failed, match=r"no repository '3': the repositories are 1 /srv/backup/teamhub, 2 sftp:"):
        backup.repository_index(CONFIG, '3')


def test_status_says_when_the_last_good_snapshot_was_taken(tmp_path, capsys):
    config = {'state_dir': str(tmp_path), 'repositories': ['/r1', '/r2']}
    backup.write_status(config, {'/r1': {'last_success': '2026-12-05T02:30:00+00:00', 'last_snapshot': 'abcdef1234'},
                                 '/r2': {'last_success': '2026-12-04T02:30:00+00:00', 'last_attempt': '2026-12-05T02:30:00+00:00',
                                         'last_error': '/r2: restic backup failed: connection refused'}})
    args = type('Args', (), {'json': False})()
    with pytest.raises(backup.Failed, match='not every repository has a good snapshot'):
        backup.cmd_status(config, args)
    out = capsys.readouterr().out
    assert '/r1: last good snapshot 2026-12-05T02:30:00+00:00 (abcdef12)' in out
    assert '/r2: last good snapshot 2026-12-04T02:30:00+00:00; the last run at 2026-12-05T02:30:00+00:00 failed' in out


def test_a_bad_config_is_named(tmp_path):
    path = tmp_path / 'config.json'
    path.write_text(json.dumps({'repositories': []}))
    assert backup.main(['--config', str(path), 'status']) == 1
    with pytest.raises(backup.Failed, match="has no 'password_file': run the backup role again"):
        backup.load_config(str(path))


def test_each_team_environment_is_listed_as_conda_exports_it(root, tmp_path):
    """With the conda stand-in (tests/fakeconda): an environment with python only."""
    created = subprocess.run([os.path.join(root, 'bin', 'conda'), 'create', '-y', '-q', '-n', 'dev-default', 'python'],
                             capture_output=True, text=True, check=False)
    assert created.returncode == 0, created.stderr
    assert backup.environment_specs(root, str(tmp_path / 'environments')) == ['dev-default']
    listing = (tmp_path / 'environments' / 'dev-default.txt').read_text()
    assert '@EXPLICIT' in listing and '# platform: linux-64' in listing
    assert backup.environment_specs(str(tmp_path / 'no-conda'), str(tmp_path / 'none')) == []
