# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json

import pytest

from ansible.module_utils import basic
from ansible_collections.teamhub.jupyter.plugins.module_utils import team_accounts as ta
from ansible_collections.teamhub.jupyter.plugins.modules import team_accounts as module

from ..module_runner import run_module
from ..module_utils.test_team_accounts import HASH, OTHER_HASH, database


@pytest.fixture
def calls(monkeypatch):
    recorded = []

    def run_command(_self, argv, data=None, binary_data=False):
        recorded.append((argv, data, binary_data))
        return 0, '', ''
    monkeypatch.setattr(ta, 'read_database', database)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    return recorded


def test_diff_and_check_mode_never_show_a_hash(calls, capsys):
    args = dict(members=[{'name': 'alice'}, {'name': 'bob', 'ssh_keys': ['ssh-ed25519 AAAA bob']}], groups=['team'],
                uids={'bob': 1042}, password_hashes={'alice': OTHER_HASH, 'bob': HASH})
    code, result = run_module(module.main, args, capsys, check_mode=True, diff=True)
    assert code == 0 and result['changed'] is True and calls == []
    assert result['created'] == ['bob'] and result['updated'] == ['alice']
    assert 'alice password: changed' in result['diff']['after']
    assert HASH not in json.dumps(result) and OTHER_HASH not in json.dumps(result)


def test_the_hash_is_given_on_stdin_as_bytes_as_they_are(calls, capsys):
    code, result = run_module(module.main, dict(members=[{'name': 'bob'}], password_hashes={'bob': HASH}), capsys)
    assert code == 0 and result['created'] == ['bob']
    assert calls[1] == (['chpasswd', '--encrypted'], 'bob:%s\n' % HASH, True)


def test_a_failure_names_the_member_and_the_others_are_done(calls, capsys):
    code, result = run_module(module.main, dict(members=[{'name': 'carol', 'groups': ['nosuch']},
                                                         {'name': 'alice', 'admin': True}], admin_groups=['team']), capsys)
    assert code == 1 and result['updated'] == ['alice']
    assert result['msg'] == ('Could not bring the accounts of carol where they should be (the other members are done): '
                             'carol: groups nosuch of carol do not exist; create them first')


def test_bad_input_fails_before_anything_runs(calls, capsys):
    code, result = run_module(module.main, dict(members=[{'name': 'Bob'}]), capsys)
    assert code == 1 and "members: 'Bob' is not a POSIX user name" in result['msg'] and calls == []


def test_a_hash_for_somebody_not_listed_is_refused(calls, capsys):
    code, result = run_module(module.main, dict(members=[{'name': 'alice'}], password_hashes={'mallory': HASH}), capsys)
    assert code == 1 and result['msg'] == 'password_hashes names mallory, not in members' and calls == []
    assert HASH not in json.dumps(result)
