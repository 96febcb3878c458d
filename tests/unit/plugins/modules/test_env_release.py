# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.modules import env_release as module

from ..module_runner import run_module


def make_env(path):
    os.makedirs(os.path.join(path, 'conda-meta'))
    return path


@pytest.fixture
def envs(tmp_path):
    top = tmp_path / 'envs'
    top.mkdir()
    return dict(link=str(top / 'dev'), releases_dir=str(top / '.releases'))


def test_adopt_in_check_mode_reports_and_moves_nothing(envs, capsys):
    make_env(envs['link'])
    code, result = run_module(module.main, dict(envs, release='dev-0123456789', state='adopted'), capsys, check_mode=True)
    assert code == 0 and result['changed'] is True and result['adopted'] is True
    assert not os.path.islink(envs['link']) and not os.path.exists(envs['releases_dir'])


def test_adopt_then_switch_then_prune(envs, capsys):
    make_env(envs['link'])
    code, result = run_module(module.main, dict(envs, release='dev-0000000001', state='adopted'), capsys)
    assert code == 0 and result['adopted'] is True
    assert result['path'] == os.path.join(envs['releases_dir'], 'dev-0000000001') == os.readlink(envs['link'])
    code, again = run_module(module.main, dict(envs, release='dev-0000000001', state='adopted'), capsys)
    assert code == 0 and again['changed'] is False and again['path'] == result['path']

    make_env(os.path.join(envs['releases_dir'], 'dev-0000000002'))
    code, result = run_module(module.main, dict(envs, release='dev-0000000002', keep=1), capsys, diff=True)
    assert code == 0 and result['changed'] is True, result
    assert result['before'] == os.path.join(envs['releases_dir'], 'dev-0000000001')
    assert result['removed'] == ['dev-0000000001'] and result['in_use'] == {}
    assert result['diff']['after'] == 'link -> %s\nremoved dev-0000000001\n' % result['path']
    assert os.listdir(envs['releases_dir']) == ['dev-0000000002']
    code, result = run_module(module.main, dict(envs, release='dev-0000000002', keep=1), capsys, diff=True)
    assert code == 0 and result['changed'] is False and 'diff' not in result


def test_switch_in_check_mode_to_a_release_not_built_yet(envs, capsys):
    make_env(os.path.join(envs['releases_dir'], 'dev-0000000001'))
    code, result = run_module(module.main, dict(envs, release='dev-0000000002'), capsys, check_mode=True)
    assert code == 0 and result['changed'] is True and result['removed'] == []
    assert not os.path.lexists(envs['link'])


def test_absent_removes_the_name_and_the_releases(envs, capsys):
    make_env(os.path.join(envs['releases_dir'], 'dev-0000000001'))
    os.symlink(os.path.join(envs['releases_dir'], 'dev-0000000001'), envs['link'])
    code, result = run_module(module.main, dict(envs, state='absent'), capsys)
    assert code == 0 and result['changed'] is True
    assert result['removed'] == [envs['link'], 'dev-0000000001']
    assert os.listdir(envs['releases_dir']) == [] and not os.path.lexists(envs['link'])
    code, result = run_module(module.main, dict(envs, state='absent'), capsys)
    assert code == 0 and result['changed'] is False


@pytest.mark.parametrize('args, message', [
    (dict(release='dev'), "release 'dev' is not a release of dev"),
    (dict(release='dev-0000000001'), 'has no conda-meta directory'),
    (dict(release='dev-0000000001', keep=0), 'keep must be 1 or more'),
    (dict(release='other-0000000001', state='adopted'), "release 'other-0000000001' is not a release of dev"),
    (dict(), 'state is present but all of the following are missing: release'),
])
def test_bad_input_fails_naming_it_and_changes_nothing(envs, capsys, args, message):
    os.makedirs(os.path.join(envs['releases_dir'], 'dev-0000000001'))
    code, result = run_module(module.main, dict(envs, **args), capsys)
    assert code == 1 and message in result['msg'], result
    assert not os.path.lexists(envs['link'])
