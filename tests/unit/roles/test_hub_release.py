# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""teamhub-hub-release: releases of the hub venv, the last healthy state, rollback."""

import json
import os
import shutil
import sqlite3
import subprocess
import time

import pytest

import role_files

release = role_files.load('jupyterhub', 'teamhub-hub-release', 'teamhub_hub_release')

MARKER = 'Written by teamhub.jupyter.jupyterhub (jupyterhub_config_snippets)'


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


def read(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()


@pytest.fixture
def hub(tmp_path):
    """A hub as TeamHub lays it out: releases, the link, configuration, unit, database."""
    layout = {
        'releases': str(tmp_path / 'opt' / 'releases'),
        'link': str(tmp_path / 'opt' / 'venv'),
        'config': str(tmp_path / 'etc' / 'jupyterhub'),
        'unit': str(tmp_path / 'systemd' / 'jupyterhub.service'),
        'good': str(tmp_path / 'state' / 'last-good'),
        'db': str(tmp_path / 'state' / 'jupyterhub.sqlite'),
        'copies': str(tmp_path / 'state' / 'db-copies'),
    }
    for name in ('old', 'new'):
        os.makedirs(os.path.join(layout['releases'], name, 'bin'))
    os.symlink(os.path.join(layout['releases'], 'old'), layout['link'])
    write(os.path.join(layout['config'], 'jupyterhub_config.py'), 'c.Spawner.cmd = ["old"]\n')
    write(os.path.join(layout['config'], 'jupyterhub_config.d', 'by-hand.py'), 'c.JupyterHub.x = 1\n')
    write(layout['unit'], 'ExecStart=old/bin/jupyterhub\n')
    os.makedirs(os.path.dirname(layout['db']))
    with sqlite3.connect(layout['db']) as db:
        db.execute('create table users (name text)')
        db.execute("insert into users values ('ada')")
    return layout


def remember(hub):
    return release.remember(hub['good'], hub['link'], [hub['unit']], [hub['config']])


def test_adopt_moves_a_venv_directory_into_the_releases_and_links_it(tmp_path):
    link, releases = str(tmp_path / 'venv'), str(tmp_path / 'releases')
    write(os.path.join(link, 'bin', 'python'), '#!python\n')
    assert release.adopt(link, releases, 'jupyterhub-6.1.1-abc') is True
    assert os.readlink(link) == os.path.join(releases, 'jupyterhub-6.1.1-abc')
    assert read(os.path.join(link, 'bin', 'python')) == '#!python\n'
    # Already a link: nothing to do.
    assert release.adopt(link, releases, 'jupyterhub-6.1.1-abc') is False


def test_adopt_never_replaces_an_existing_release(tmp_path):
    link, releases = str(tmp_path / 'venv'), str(tmp_path / 'releases')
    os.makedirs(link)
    os.makedirs(os.path.join(releases, 'taken'))
    with pytest.raises(release.ReleaseError, match='taken exists'):
        release.adopt(link, releases, 'taken')
    assert os.path.isdir(link) and not os.path.islink(link)


def test_link_switches_in_one_step_and_refuses_a_directory(hub):
    new = os.path.join(hub['releases'], 'new')
    assert release.replace_link(hub['link'], new) is True
    assert os.readlink(hub['link']) == new
    assert release.replace_link(hub['link'], new) is False
    with pytest.raises(release.ReleaseError, match='not a symbolic link'):
        release.replace_link(hub['releases'], new)


def test_save_db_copies_the_database_root_only(hub):
    copy = os.path.join(hub['copies'], 'old.sqlite')
    assert release.save_db(hub['db'], copy) is True
    assert os.stat(copy).st_mode & 0o777 == 0o600
    with sqlite3.connect(copy) as db:
        assert db.execute('select name from users').fetchall() == [('ada',)]
    assert [name for name in os.listdir(hub['copies']) if name.startswith('.')] == []
    assert release.save_db(os.path.join(hub['copies'], 'missing.sqlite'), copy) is False


def test_remember_reports_a_change_only_when_something_changed(hub):
    assert remember(hub) is True
    assert remember(hub) is False
    state = json.loads(read(os.path.join(hub['good'], 'state.json')))
    assert state['release'] == os.path.join(hub['releases'], 'old')
    write(os.path.join(hub['config'], 'jupyterhub_config.py'), 'c.Spawner.cmd = ["changed"]\n')
    assert remember(hub) is True
    assert os.stat(hub['good']).st_mode & 0o777 == 0o700


def test_rollback_puts_back_release_configuration_unit_and_database(hub):
    remember(hub)
    copy = os.path.join(hub['copies'], 'old.sqlite')
    release.save_db(hub['db'], copy)
    # The failed run: new release, new files, an upgraded database.
    release.replace_link(hub['link'], os.path.join(hub['releases'], 'new'))
    write(os.path.join(hub['config'], 'jupyterhub_config.py'), 'c.Spawner.cmd = ["new"]\n')
    write(hub['unit'], 'ExecStart=new/bin/jupyterhub\n')
    write(os.path.join(hub['config'], 'jupyterhub_config.d', 'new-snippet.py'), '# ' + MARKER + '\nc.X = 1\n')
    write(os.path.join(hub['config'], 'jupyterhub_config.d', 'by-hand-later.py'), 'c.Y = 2\n')
    with sqlite3.connect(hub['db']) as db:
        db.execute('drop table users')

    result = release.rollback(hub['good'], MARKER, hub['db'], copy)
    release.replace_link(hub['link'], result['release'])

    assert os.readlink(hub['link']) == os.path.join(hub['releases'], 'old')
    assert read(os.path.join(hub['config'], 'jupyterhub_config.py')) == 'c.Spawner.cmd = ["old"]\n'
    assert read(hub['unit']) == 'ExecStart=old/bin/jupyterhub\n'
    assert not os.path.exists(os.path.join(hub['config'], 'jupyterhub_config.d', 'new-snippet.py'))
    # Written by hand: never removed.
    assert read(os.path.join(hub['config'], 'jupyterhub_config.d', 'by-hand-later.py')) == 'c.Y = 2\n'
    assert result['db'] is True
    with sqlite3.connect(hub['db']) as db:
        assert db.execute('select name from users').fetchall() == [('ada',)]
    assert sorted(result['restored']) == sorted([hub['unit'], os.path.join(hub['config'], 'jupyterhub_config.py')])


def test_rollback_without_a_record_says_so(hub):
    with pytest.raises(release.ReleaseError, match='no healthy hub was recorded'):
        release.rollback(hub['good'], MARKER)


def test_rollback_with_a_missing_database_copy_names_it(hub):
    remember(hub)
    with pytest.raises(release.ReleaseError, match='copy of the database .*missing'):
        release.rollback(hub['good'], MARKER, hub['db'], os.path.join(hub['copies'], 'gone.sqlite'))


def make_releases(releases, names):
    now = time.time()
    for age, name in enumerate(names):
        path = os.path.join(releases, name)
        os.makedirs(path, exist_ok=True)
        os.utime(path, (now - 100 * age, now - 100 * age))


def test_prune_keeps_the_newest_the_named_and_those_in_use(tmp_path):
    releases, copies = str(tmp_path / 'releases'), str(tmp_path / 'copies')
    make_releases(releases, ['r5', 'r4', 'r3', 'r2', 'r1'])
    for name in ('r5', 'r3', 'r1', 'r2'):
        write(os.path.join(copies, name + '.sqlite'), '')
    removed = release.prune(releases, 2, ['r1'], copies, in_use={'r2'})
    assert sorted(removed) == ['r3', 'r4']
    assert sorted(os.listdir(releases)) == ['r1', 'r2', 'r5']
    assert sorted(os.listdir(copies)) == ['r1.sqlite', 'r2.sqlite', 'r5.sqlite']
    assert release.prune(releases, 2, ['r1'], copies, in_use={'r2'}) == []


def test_releases_in_use_finds_a_running_process(tmp_path):
    # A copy of sleep started from a release stands in for a member's server.
    releases = tmp_path / 'releases'
    os.makedirs(releases / 'r1' / 'bin')
    os.makedirs(releases / 'r2' / 'bin')
    shutil.copy('/bin/sleep', releases / 'r1' / 'bin' / 'sleep')
    server = subprocess.Popen([str(releases / 'r1' / 'bin' / 'sleep'), '30'])
    try:
        assert release.releases_in_use(str(releases)) == {'r1'}
        assert release.prune(str(releases), 1, ['r2']) == []
    finally:
        server.kill()
        server.wait()
    assert release.prune(str(releases), 1, ['r2']) == ['r1']


def test_main_prints_json_and_names_a_bad_keep(hub, capsys):
    assert release.main(['link', hub['link'], os.path.join(hub['releases'], 'new')]) == 0
    assert json.loads(capsys.readouterr().out) == {'changed': True}
    assert release.main(['prune', hub['releases'], '--keep', '0']) == 1
    assert '--keep must be 1 or more' in capsys.readouterr().err
    assert release.main(['rollback', hub['good'], '--link', hub['link'], '--marker', MARKER]) == 1
    assert 'no healthy hub was recorded' in capsys.readouterr().err
