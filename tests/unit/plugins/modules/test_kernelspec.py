# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json
import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.modules import kernelspec as module

from ..kernelspec_fakes import LOGO, make_env
from ..module_runner import run_module


@pytest.fixture
def hub(tmp_path):
    """A conda root with base and two environments (one without ipykernel), and a kernels dir."""
    root = str(tmp_path / 'conda')
    make_env(root)
    make_env(os.path.join(root, 'envs', 'analysis'))
    make_env(os.path.join(root, 'envs', 'plain'), ipykernel=None)
    kernels = str(tmp_path / 'kernels')
    return {'root': root, 'kernels': kernels, 'tmp': tmp_path}


def run(capsys, args, check=False, diff=False):
    return run_module(module.main, args, capsys, check_mode=check, diff=diff)[1]


def base_args(hub, **extra):
    args = dict(name='analysis', conda_env='analysis', conda_root=hub['root'], kernels_dir=hub['kernels'])
    args.update(extra)
    return args


def test_present_creates_then_is_idempotent(hub, capsys):
    result = run(capsys, base_args(hub))
    assert result['changed'] is True, result
    spec_dir = os.path.join(hub['kernels'], 'analysis')
    assert result['path'] == spec_dir
    assert result['python'] == os.path.join(hub['root'], 'envs', 'analysis', 'bin', 'python')
    assert result['ipykernel_version'] == '7.3.0'
    with open(os.path.join(spec_dir, 'kernel.json')) as handle:
        on_disk = json.load(handle)
    assert on_disk == result['kernel_spec']
    assert on_disk['argv'][:2] == ['/bin/sh', '{resource_dir}/kernel-launcher.sh']
    assert on_disk['display_name'] == 'Python 3.12 (analysis)'
    assert on_disk['kernel_protocol_version'] == '5.5'
    assert sorted(os.listdir(spec_dir)) == ['kernel-launcher.sh', 'kernel.json', 'logo-32x32.png']
    with open(os.path.join(spec_dir, 'logo-32x32.png'), 'rb') as handle:
        assert handle.read() == LOGO

    again = run(capsys, base_args(hub))
    assert again['changed'] is False
    assert again['changes'] == []
    assert again['kernel_spec'] == on_disk


def test_check_mode_writes_nothing(hub, capsys):
    result = run(capsys, base_args(hub), check=True)
    assert result['changed'] is True
    assert result['kernel_spec']['display_name'] == 'Python 3.12 (analysis)'
    assert not os.path.exists(hub['kernels'])
    run(capsys, base_args(hub))
    result = run(capsys, base_args(hub, display_name='Analysis', activate=False), check=True)
    assert result['changed'] is True
    with open(os.path.join(hub['kernels'], 'analysis', 'kernel.json')) as handle:
        assert json.load(handle)['display_name'] == 'Python 3.12 (analysis)'
    assert os.path.exists(os.path.join(hub['kernels'], 'analysis', 'kernel-launcher.sh'))


def test_check_mode_with_an_environment_not_ready_yet(hub, capsys):
    for env in ('missing', 'plain'):
        result = run(capsys, base_args(hub, conda_env=env), check=True)
        assert result['changed'] is True
        assert result['kernel_spec'] == {}
        warnings = json.dumps(result['warnings'])  # plain strings or 2.19's structured warnings
        assert 'check mode: ' in warnings and 'assuming an earlier task provides it' in warnings
        assert not os.path.exists(hub['kernels'])


def test_diff_shows_kernel_json_before_and_after(hub, capsys):
    result = run(capsys, base_args(hub), diff=True)
    diffs = result['diff']
    assert diffs[0]['before'] == ''
    assert json.loads(diffs[0]['after']) == result['kernel_spec']
    assert diffs[0]['after_header'].endswith('/analysis/kernel.json')
    assert 'exec "$@"' in diffs[1]['after']

    result = run(capsys, base_args(hub, display_name='Team analysis'), diff=True)
    assert result['changes'] == ['kernel.json differs in display_name']
    assert len(result['diff']) == 1  # launcher unchanged
    assert json.loads(result['diff'][0]['before'])['display_name'] == 'Python 3.12 (analysis)'
    assert json.loads(result['diff'][0]['after'])['display_name'] == 'Team analysis'

    result = run(capsys, base_args(hub, display_name='Team analysis'), diff=True)
    assert result['changed'] is False and 'diff' not in result


def test_changing_options_rewrites(hub, capsys):
    run(capsys, base_args(hub))
    result = run(capsys, base_args(hub, activate=False, env={'OMP_NUM_THREADS': 2}, interrupt_mode='message',
                                   metadata={'debugger': False}, language='python3'))
    assert result['changed'] is True
    spec_dir = os.path.join(hub['kernels'], 'analysis')
    assert sorted(os.listdir(spec_dir)) == ['kernel.json', 'logo-32x32.png']
    spec = result['kernel_spec']
    assert spec['argv'][0] == os.path.join(hub['root'], 'envs', 'analysis', 'bin', 'python')
    assert spec['env'] == {'OMP_NUM_THREADS': '2'}
    assert spec['interrupt_mode'] == 'message'
    assert spec['metadata'] == {'debugger': False}
    assert spec['language'] == 'python3'


def test_by_prefix_and_by_python(hub, capsys):
    prefix = os.path.join(hub['root'], 'envs', 'analysis')
    by_prefix = run(capsys, dict(name='analysis', conda_prefix=prefix, conda_root=hub['root'],
                                 kernels_dir=hub['kernels']))
    assert by_prefix['changed'] is True
    # the same environment named by its interpreter gives the same spec: no change
    by_python = run(capsys, dict(name='analysis', python=os.path.join(prefix, 'bin', 'python'),
                                 conda_root=hub['root'], kernels_dir=hub['kernels']))
    assert by_python['changed'] is False
    assert by_python['kernel_spec'] == by_prefix['kernel_spec']


def test_python3_name_warns(hub, capsys):
    result = run(capsys, base_args(hub, name='python3'))
    assert result['changed'] is True
    assert 'a kernel named python3 is hidden' in json.dumps(result['warnings'])


def test_prefix_option(hub, capsys):
    jprefix = str(hub['tmp'] / 'jupyter')
    result = run(capsys, dict(name='base', conda_env='base', conda_root=hub['root'], prefix=jprefix))
    assert result['path'] == os.path.join(jprefix, 'share', 'jupyter', 'kernels', 'base')
    assert os.path.isfile(os.path.join(result['path'], 'kernel.json'))
    assert result['kernel_spec']['display_name'] == 'Python 3.12 (base)'


def test_absent(hub, capsys):
    run(capsys, base_args(hub))
    spec_dir = os.path.join(hub['kernels'], 'analysis')
    result = run(capsys, dict(name='analysis', state='absent', kernels_dir=hub['kernels']), check=True, diff=True)
    assert result['changed'] is True
    assert os.path.isdir(spec_dir)
    assert json.loads(result['diff'][0]['before'])['language'] == 'python'
    assert result['diff'][0]['after'] == ''
    result = run(capsys, dict(name='analysis', state='absent', kernels_dir=hub['kernels']))
    assert result['changed'] is True and result['kernel_spec'] == {}
    assert os.listdir(hub['kernels']) == []
    result = run(capsys, dict(name='analysis', state='absent', kernels_dir=hub['kernels']))
    assert result['changed'] is False


@pytest.mark.parametrize('args, message', [
    (dict(name='analysis', conda_env='plain'), 'environment plain has no ipykernel'),
    (dict(name='Analysis', conda_env='analysis'), "kernel name 'Analysis' is invalid"),
    (dict(name='analysis', conda_env='missing'), "conda environment 'missing' not found"),
    (dict(name='analysis'), 'state is present but any of the following are missing: '
                            'conda_env, conda_prefix, python'),
    (dict(name='analysis', conda_env='analysis', python='/usr/bin/python3'),
     'parameters are mutually exclusive: conda_env|conda_prefix|python'),
    (dict(name='analysis', conda_env='analysis', prefix='/nonexistent/jupyter'),
     'parameters are mutually exclusive: kernels_dir|prefix'),
])
def test_failures(hub, capsys, args, message):
    full = dict(conda_root=hub['root'], kernels_dir=hub['kernels'])
    full.update(args)
    result = run(capsys, full)
    assert result['failed'] is True
    assert message in result['msg']
    assert not os.path.exists(os.path.join(hub['kernels'], 'analysis'))


def test_write_error_is_reported(hub, capsys, monkeypatch):
    def fail(*dummy):
        raise OSError(13, 'Permission denied')
    monkeypatch.setattr(module.ks, 'write_spec', fail)
    result = run(capsys, base_args(hub))
    assert result['failed'] is True
    assert result['msg'] == 'could not write kernel spec analysis: [Errno 13] Permission denied'
