# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json
import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.modules import run_lock as module

from ..module_runner import run_module

ALICE = 'alice@laptop, started 2026-12-04T17:00:00Z'


@pytest.fixture
def lock(tmp_path):
    return str(tmp_path / 'teamhub' / 'run.lock')


def run(capsys, args, check=False, diff=False):
    return run_module(module.main, args, capsys, check_mode=check, diff=diff)[1]


def test_acquire_then_release(lock, capsys):
    result = run(capsys, dict(path=lock, run_id='run-1', holder=ALICE), diff=True)
    assert result['changed'] is True and result['taken_over'] is False
    assert (result['path'], result['run_id'], result['holder']) == (lock, 'run-1', ALICE)
    assert result['diff']['before'] == '' and json.loads(result['diff']['after'])['run_id'] == 'run-1'
    with open(lock) as handle:
        assert json.load(handle)['acquired'] == result['acquired']

    again = run(capsys, dict(path=lock, run_id='run-1', holder=ALICE))
    assert again['changed'] is False and again['acquired'] == result['acquired']

    released = run(capsys, dict(path=lock, run_id='run-1', state='absent'), diff=True)
    assert released['changed'] is True and released['run_id'] == 'run-1'
    assert released['diff']['after'] == ''
    assert not os.path.exists(lock)
    assert run(capsys, dict(path=lock, run_id='run-1', state='absent'))['changed'] is False


def test_another_runs_lock_fails_the_task_naming_it(lock, capsys):
    run(capsys, dict(path=lock, run_id='run-1', holder=ALICE))
    result = run(capsys, dict(path=lock, run_id='run-2', holder='bob'))
    assert result['failed'] is True
    assert result['msg'].startswith('Another TeamHub run holds the lock on this host since %s (%s)'
                                    % (result['acquired'], ALICE))
    assert (result['run_id'], result['holder'], result['taken_over']) == ('run-1', ALICE, False)

    check = run(capsys, dict(path=lock, run_id='run-2', holder='bob'), check=True)
    assert check['failed'] is True and check['msg'] == result['msg']

    left = run(capsys, dict(path=lock, run_id='run-2', state='absent'))
    assert left['changed'] is False and left['run_id'] == 'run-1'
    assert "left the lock %s of run run-1" % lock in json.dumps(left['warnings'])
    assert os.path.exists(lock)


def test_break_lock_warns_naming_the_run_it_took_over(lock, capsys):
    run(capsys, dict(path=lock, run_id='run-1', holder=ALICE))
    result = run(capsys, dict(path=lock, run_id='run-2', holder='bob', break_lock=True))
    assert result['changed'] is True and result['taken_over'] is True and result['run_id'] == 'run-2'
    warnings = json.dumps(result['warnings'])  # plain strings or 2.19's structured warnings
    assert 'took over the lock %s of run run-1 (%s, since ' % (lock, ALICE) in warnings


def test_check_mode_writes_nothing(lock, capsys, tmp_path):
    result = run(capsys, dict(path=lock, run_id='run-1', holder=ALICE), check=True, diff=True)
    assert result['changed'] is True and json.loads(result['diff']['after'])['run_id'] == 'run-1'
    assert not os.path.exists(str(tmp_path / 'teamhub'))


@pytest.mark.parametrize('args, words', [
    (dict(run_id=''), 'run_id must not be empty'),
    (dict(run_id='run-1', path='relative/run.lock'), 'path must be an absolute path'),
    (dict(run_id='run-1', wait=-5), 'wait must be 0 or more seconds, got -5'),
    (dict(run_id='run-1', stale_after=0), 'stale_after must be a positive number of seconds'),
])
def test_bad_arguments_fail_with_a_clear_message(lock, capsys, args, words):
    args = dict(args)
    args.setdefault('path', lock)
    result = run(capsys, args)
    assert result['failed'] is True and words in result['msg']


def test_a_symlinked_lock_is_refused(lock, capsys, tmp_path):
    os.makedirs(os.path.dirname(lock), 0o700)
    os.symlink(str(tmp_path / 'target'), lock)
    result = run(capsys, dict(path=lock, run_id='run-1'))
    assert result['failed'] is True and 'is a symlink; refusing to follow it' in result['msg']
    assert not os.path.exists(str(tmp_path / 'target'))
