# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import collections
import json
import os

import pytest

from ansible.module_utils import basic
from ansible_collections.teamhub.jupyter.plugins.module_utils import member_files as mf
from ansible_collections.teamhub.jupyter.plugins.module_utils import team_accounts as ta
from ansible_collections.teamhub.jupyter.plugins.modules import team_members as module

from ..module_runner import run_module
from ..module_utils.test_team_accounts import HASH, OTHER_HASH, database

# Homes owned by other accounts: the tests chown, so they need root (CI runs them as root).
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='chown to other accounts needs root')

Account = collections.namedtuple('Account', 'pw_uid pw_gid pw_dir')
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOn3 alice@laptop'


@pytest.fixture
def site(tmp_path, monkeypatch):
    """The fake account database of test_team_accounts (alice exists, bob does not); alice has a
    home; commands are recorded, and a useradd makes the account and its home appear."""
    (tmp_path / 'keys').mkdir()
    (tmp_path / 'team').mkdir()
    accounts = {}

    def add_home(name, uid):
        home = tmp_path / name
        home.mkdir()
        os.chown(str(home), uid, uid)
        accounts[name] = Account(uid, uid, str(home))
    add_home('alice', 1001)
    calls = []

    def run_command(_self, argv, data=None, binary_data=False):
        calls.append((argv, data, binary_data))
        if argv[0] == 'useradd':
            add_home(argv[-1], 1042)
        return 0, '', ''

    def getpwnam(name):
        return accounts[name]
    original_apply = mf.apply
    monkeypatch.setattr(ta, 'read_database', database)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    monkeypatch.setattr(mf, 'apply', lambda *args, **kwargs: original_apply(*args, getpwnam=getpwnam, **kwargs))
    return {'tmp': tmp_path, 'calls': calls}


def args(site, **extra):
    base = dict(members=[{'name': 'alice', 'groups': ['analysts'], 'ssh_keys': [KEY]}], groups=['team'],
                keys_dir=str(site['tmp'] / 'keys'), shared_dir=str(site['tmp'] / 'team'), shared_link='shared')
    base.update(extra)
    return base


def test_check_mode_with_diff_plans_accounts_and_files_and_never_shows_a_hash(site, capsys):
    members = [{'name': 'alice', 'groups': ['geo'], 'ssh_keys': [KEY]}, {'name': 'bob', 'ssh_keys': [KEY]}]
    code, result = run_module(module.main, args(site, members=members, uids={'bob': 1042},
                                                password_hashes={'alice': OTHER_HASH, 'bob': HASH}),
                              capsys, check_mode=True, diff=True)
    assert code == 0 and result['changed'] is True and site['calls'] == []
    assert (result['created'], result['updated'], result['keys']) == (['bob'], ['alice'], ['alice', 'bob'])
    assert result['diff'][0]['after'].startswith('alice groups: geo,team\nalice password: changed\nbob: new account')
    assert [item['before_header'] for item in result['diff'][1:]] == [
        str(site['tmp'] / 'keys' / 'alice'), str(site['tmp'] / 'alice'), str(site['tmp'] / 'keys' / 'bob')]
    assert HASH not in json.dumps(result) and OTHER_HASH not in json.dumps(result)
    assert os.listdir(str(site['tmp'] / 'keys')) == []


def test_a_new_member_gets_account_then_files_the_hash_on_stdin(site, capsys):
    code, result = run_module(module.main, args(site, members=[{'name': 'bob', 'ssh_keys': [KEY]}],
                                                password_hashes={'bob': HASH}), capsys)
    assert code == 0 and result['created'] == ['bob'] and result['links'] == ['bob']
    assert site['calls'][1] == (['chpasswd', '--encrypted'], 'bob:%s\n' % HASH, True)
    assert (site['tmp'] / 'keys' / 'bob').read_text() == mf.DEFAULT_HEADER + '\n' + KEY + '\n'
    assert os.readlink(str(site['tmp'] / 'bob' / 'shared')) == str(site['tmp'] / 'team')


def test_a_second_run_changes_nothing(site, capsys):
    run_module(module.main, args(site), capsys)
    code, result = run_module(module.main, args(site), capsys, diff=True)
    assert code == 0 and result['changed'] is False and 'diff' not in result and site['calls'] == []


def test_one_members_failure_is_reported_after_the_others_are_done(site, capsys):
    members = [{'name': 'carol', 'groups': ['nosuch']}, {'name': 'alice', 'groups': ['analysts'], 'ssh_keys': [KEY]}]
    code, result = run_module(module.main, args(site, members=members), capsys)
    assert code == 1 and result['keys'] == ['alice'] and result['links'] == ['alice']
    assert result['msg'] == ('Could not keep the accounts and files of carol (the other members are done): '
                             'carol: groups nosuch of carol do not exist; create them first')
    assert not (site['tmp'] / 'keys' / 'carol').exists()


@pytest.mark.parametrize('extra, message', [
    (dict(home_mode='rwx'), "home_mode must be an octal mode like 0700, got 'rwx'"),
    (dict(shared_link='../x'), 'shared_link must be a name in the home'),
    (dict(shared_dir=''), 'shared_link needs shared_dir'),
    (dict(header='no comment'), 'header must be one comment line'),
    (dict(members=[{'name': 'Alice'}]), "members: 'Alice' is not a POSIX user name"),
    (dict(members=[{'name': 'alice', 'ssh_keys': [KEY + '\n' + KEY]}]), 'a key of alice is empty or spans lines'),
    (dict(password_hashes={'mallory': HASH}), 'password_hashes names mallory, not in members'),
])
def test_bad_input_fails_before_anything_runs_or_is_written(site, capsys, extra, message):
    code, result = run_module(module.main, args(site, **extra), capsys)
    assert code == 1 and message in result['msg'] and site['calls'] == []
    assert os.listdir(str(site['tmp'] / 'keys')) == []
    assert HASH not in json.dumps(result)
