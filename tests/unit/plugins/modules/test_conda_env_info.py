# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the conda_env_info module with AnsibleModule.run_command faked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import pytest

from ansible_collections.teamhub.jupyter.plugins.modules import conda_env_info as module

from ..conda_fakes import FakeConda, faked
from ..module_runner import run_module


@pytest.fixture
def conda(tmp_path, monkeypatch):
    fake = FakeConda(tmp_path)
    fake.add_env(fake.env_prefix('analysis'), {'python': '3.12.7', 'numpy': '2.1.3'})
    fake.add_env(str(tmp_path / 'elsewhere'), {'python': '3.11.9'})
    with faked(monkeypatch, fake):
        yield fake


def test_lists_envs(conda, capsys, tmp_path):
    rc, result = run_module(module.main, {'executable': conda.exe}, capsys)
    assert rc == 0 and result['changed'] is False
    assert result['conda_version'] == '24.9.2' and result['root_prefix'] == conda.root
    assert sorted((e['name'] or '', e['prefix'], e['is_base']) for e in result['envs']) == [
        ('', str(tmp_path / 'elsewhere'), False),
        ('analysis', conda.env_prefix('analysis'), False),
        ('base', conda.root, True),
    ]
    assert all('packages' not in e for e in result['envs'])
    assert all(cmd[1] in ('--version', 'info', 'env') for cmd in conda.calls)


def test_one_env_with_packages_in_check_mode(conda, capsys):
    rc, result = run_module(module.main, {'executable': conda.exe, 'name': 'analysis', 'packages': True},
                            capsys, check_mode=True)
    assert rc == 0 and not result['changed']
    [env] = result['envs']
    assert env['name'] == 'analysis'
    assert [(p['name'], p['version']) for p in env['packages']] == [('numpy', '2.1.3'), ('python', '3.12.7')]


def test_by_prefix_and_missing(conda, capsys, tmp_path):
    rc, result = run_module(module.main, {'executable': conda.exe, 'prefix': str(tmp_path / 'elsewhere')}, capsys)
    assert [e['prefix'] for e in result['envs']] == [str(tmp_path / 'elsewhere')]
    rc, result = run_module(module.main, {'executable': conda.exe, 'name': 'nope'}, capsys)
    assert rc == 0 and result['envs'] == []


def test_no_conda(conda, capsys, tmp_path):
    rc, result = run_module(module.main, {'executable': str(tmp_path / 'nothing' / 'conda')}, capsys)
    assert rc == 1 and 'not found' in result['msg']


def test_conda_failure_carries_condas_error(conda, capsys, monkeypatch):
    real = conda.run_command

    def broken_list(args, **kwargs):
        if args[1] == 'list':
            return 1, ('{"exception_name": "EnvironmentLocationNotFound", '
                       '"message": "Not a conda environment: /gone"}'), ''
        return real(args, **kwargs)

    monkeypatch.setattr(conda, 'run_command', broken_list)
    rc, result = run_module(module.main, {'executable': conda.exe, 'name': 'analysis', 'packages': True}, capsys)
    assert rc == 1 and result['exception_name'] == 'EnvironmentLocationNotFound'
    assert result['msg'] == 'EnvironmentLocationNotFound: Not a conda environment: /gone'
