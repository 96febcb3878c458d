# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import collections
import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import member_files as mf
from ansible_collections.teamhub.jupyter.plugins.modules import member_files as module

from ..module_runner import run_module

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='chown to other accounts needs root')

Account = collections.namedtuple('Account', 'pw_uid pw_gid pw_dir')


@pytest.fixture
def site(tmp_path, monkeypatch):
    (tmp_path / 'keys').mkdir()
    (tmp_path / 'team').mkdir()
    home = tmp_path / 'alice'
    home.mkdir()
    os.chown(str(home), 1001, 1001)
    accounts = {'alice': Account(1001, 1001, str(home))}

    def getpwnam(name):
        return accounts[name]
    monkeypatch.setattr(mf.pwd, 'getpwnam', getpwnam)
    monkeypatch.setattr(mf, 'apply', _with_lookup(mf.apply, getpwnam))
    return tmp_path


def _with_lookup(apply, getpwnam):
    def wrapped(*args, **kwargs):
        kwargs['getpwnam'] = getpwnam
        return apply(*args, **kwargs)
    return wrapped


def args(site, **extra):
    base = dict(members=[{'name': 'alice', 'ssh_keys': ['ssh-ed25519 AAAAC3Nza alice@laptop']}],
                keys_dir=str(site / 'keys'), shared_dir=str(site / 'team'), shared_link='shared')
    base.update(extra)
    return base


def test_check_mode_with_diff_then_real_run_then_nothing(site, capsys):
    code, result = run_module(module.main, args(site), capsys, check_mode=True, diff=True)
    assert code == 0 and result['changed'] is True and result['keys'] == ['alice']
    assert [item['before_header'] for item in result['diff']] == [str(site / 'keys' / 'alice'), str(site / 'alice')]
    assert not (site / 'keys' / 'alice').exists()
    code, result = run_module(module.main, args(site), capsys)
    assert code == 0 and result['links'] == ['alice'] and (site / 'keys' / 'alice').exists()
    code, result = run_module(module.main, args(site), capsys, diff=True)
    assert code == 0 and result['changed'] is False and 'diff' not in result


def test_a_member_without_account_fails_the_task_after_the_others(site, capsys):
    members = [{'name': 'carol'}, {'name': 'alice'}]
    code, result = run_module(module.main, args(site, members=members), capsys)
    assert code == 1 and result['errors'] == {'carol': 'there is no account carol'}
    assert result['msg'].startswith('Could not keep the files of carol (the other members are done)')
    assert result['keys'] == ['alice'] and result['links'] == ['alice']
    assert not (site / 'keys' / 'carol').exists()


@pytest.mark.parametrize('extra, message', [
    (dict(home_mode='rwx'), "home_mode must be an octal mode like 0700, got 'rwx'"),
    (dict(shared_link='../x'), 'shared_link must be a name in the home'),
    (dict(shared_dir=''), 'shared_link needs shared_dir'),
    (dict(header='no comment'), 'header must be one comment line'),
    (dict(members=[{'name': 'Alice'}]), "members: 'Alice' is not a POSIX user name"),
])
def test_bad_input_fails_before_anything_is_written(site, capsys, extra, message):
    code, result = run_module(module.main, args(site, **extra), capsys)
    assert code == 1 and message in result['msg']
    assert os.listdir(str(site / 'keys')) == []
