# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the conda_env module glue with AnsibleModule.run_command faked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.modules import conda_env as module

from ..conda_fakes import FakeConda, faked
from ..module_runner import run_module


@pytest.fixture
def conda(tmp_path, monkeypatch):
    fake = FakeConda(tmp_path)
    with faked(monkeypatch, fake):
        yield fake


def run(conda, capsys, check_mode=False, diff=False, **args):
    args.setdefault('executable', conda.exe)
    return run_module(module.main, args, capsys, check_mode=check_mode, diff=diff)


def test_create_by_name(conda, capsys):
    rc, result = run(conda, capsys, name='analysis', packages=['python=3.12', 'numpy>=1.26'],
                     channels=['conda-forge'], override_channels=True)
    prefix = conda.env_prefix('analysis')
    assert rc == 0 and result['changed']
    assert result['prefix'] == prefix and result['name'] == 'analysis'
    assert result['conda_version'] == '24.9.2'
    assert result['added'] == ['numpy==1.26', 'python==3.12']
    assert conda.verbs() == ['create']
    create = [cmd for cmd in conda.calls if cmd[1] == 'create'][0]
    assert create == [conda.exe, 'create', '--yes', '--json', '-p', prefix, '-c', 'conda-forge',
                      '--override-channels', '--', 'python=3.12', 'numpy>=1.26']
    assert result['cmd'] == [' '.join(create[:-1]) + " 'numpy>=1.26'"]


def test_fast_path_no_solver_call(conda, capsys):
    prefix = conda.add_env(conda.env_prefix('analysis'), {'python': '3.12.7', 'numpy': '1.26.4'})
    rc, result = run(conda, capsys, name='analysis', packages=['python=3.12', 'numpy>=1.26,<2'])
    assert rc == 0 and not result['changed']
    assert conda.verbs() == [] and result['cmd'] == []
    assert result['prefix'] == prefix


def test_install_missing_into_existing_env_never_creates(conda, capsys):
    prefix = conda.add_env(conda.env_prefix('analysis'), {'python': '3.12.7', 'numpy': '1.26.4'})
    rc, result = run(conda, capsys, name='analysis', packages=['python=3.12', 'numpy=2.1', 'pandas'])
    assert rc == 0 and result['changed']
    assert conda.verbs() == ['install']
    install = [cmd for cmd in conda.calls if cmd[1] == 'install'][0]
    assert install[-2:] == ['numpy=2.1', 'pandas']  # only the unsatisfied specs
    assert result['added'] == ['pandas==1.0']
    assert result['changed_packages'] == [{'name': 'numpy', 'before': '1.26.4', 'after': '2.1'}]
    assert conda.envs[prefix]['numpy'] == '2.1'


@pytest.mark.parametrize('extra', [
    {}, {'clone': 'other'}, {'file': 'FILE'}, {'packages': ['x']}, {'state': 'latest', 'packages': ['numpy']},
])
def test_create_never_called_on_existing_env(conda, capsys, tmp_path, extra):
    conda.add_env(conda.env_prefix('other'), {'python': '3.12.7'})
    conda.add_env(conda.env_prefix('analysis'), {'python': '3.12.7', 'numpy': '1.26.4'})
    if extra.get('file'):
        envfile = tmp_path / 'environment.yml'
        envfile.write_text('dependencies: [python=3.12]\n')
        extra = dict(extra, file=str(envfile))
    for check_mode in (True, False):
        rc, result = run(conda, capsys, check_mode=check_mode, name='analysis', **extra)
        assert rc == 0, result
        assert not [v for v in conda.verbs() if v.startswith('create')]  # FakeConda fails the test too


def test_by_prefix_outside_envs_dirs(conda, capsys, tmp_path):
    prefix = str(tmp_path / 'srv' / 'geo')
    rc, result = run(conda, capsys, prefix=prefix, packages=['gdal'])
    assert rc == 0 and result['changed'] and result['prefix'] == prefix and result['name'] is None
    conda.calls[:] = []
    rc, result = run(conda, capsys, prefix=prefix + '/', packages=['gdal'])
    assert not result['changed'] and conda.verbs() == []


def test_check_mode_missing_env(conda, capsys):
    rc, result = run(conda, capsys, check_mode=True, name='new', packages=['pandas=2.2'])
    assert rc == 0 and result['changed']
    assert conda.verbs() == ['create --dry-run']
    assert result['added'] == ['pandas==2.2']
    assert not os.path.exists(conda.env_prefix('new'))


def test_check_mode_existing_env(conda, capsys):
    prefix = conda.add_env(conda.env_prefix('a'), {'python': '3.12.7', 'numpy': '1.26.4'})
    rc, result = run(conda, capsys, check_mode=True, diff=True, name='a', packages=['numpy>=2'])
    assert rc == 0 and result['changed']
    assert conda.verbs() == ['install --dry-run']
    assert conda.envs[prefix]['numpy'] == '1.26.4'
    assert result['changed_packages'] == [{'name': 'numpy', 'before': '1.26.4', 'after': '2'}]
    assert result['diff']['before'] == 'numpy==1.26.4\npython==3.12.7\n'
    assert result['diff']['after'] == 'numpy==2\npython==3.12.7\n'


def test_check_mode_clone_and_file_do_not_run(conda, capsys, tmp_path):
    conda.add_env(conda.env_prefix('src'), {'python': '3.12.7'})
    rc, result = run(conda, capsys, check_mode=True, name='copy', clone='src')
    assert result['changed'] and conda.verbs() == []
    envfile = tmp_path / 'environment.yml'
    envfile.write_text('dependencies: [python=3.12]\n')
    rc, result = run(conda, capsys, check_mode=True, name='fromfile', file=str(envfile))
    assert result['changed'] and conda.verbs() == []
    assert not os.path.exists(conda.env_prefix('fromfile'))


def test_diff_mode(conda, capsys):
    conda.add_env(conda.env_prefix('a'), {'python': '3.12.7'})
    rc, result = run(conda, capsys, diff=True, name='a', packages=['six'])
    assert result['diff']['before'] == 'python==3.12.7\n'
    assert result['diff']['after'] == 'python==3.12.7\nsix==1.0\n'


def test_absent(conda, capsys):
    prefix = conda.add_env(conda.env_prefix('old'), {'python': '3.12.7'})
    rc, result = run(conda, capsys, check_mode=True, name='old', state='absent')
    assert result['changed'] and os.path.isdir(prefix) and conda.verbs() == []
    rc, result = run(conda, capsys, name='old', state='absent')
    assert result['changed'] and not os.path.exists(prefix)
    assert result['removed'] == ['python==3.12.7']
    assert conda.verbs() == ['remove']
    rc, result = run(conda, capsys, name='old', state='absent')
    assert rc == 0 and not result['changed']


def test_absent_refuses_base(conda, capsys):
    rc, result = run(conda, capsys, name='base', state='absent')
    assert rc == 1 and 'base environment' in result['msg']
    assert conda.root in conda.envs


def test_create_failure_names_packages_and_removes_half_made_prefix(conda, capsys):
    conda.missing.add('nopkg')
    rc, result = run(conda, capsys, name='broken', packages=['python', 'nopkg=1.0'], channels=['conda-forge'])
    assert rc == 1 and result['failed']
    assert 'packages not found: nopkg=1.0' in result['msg']
    assert 'https://conda.example.invalid/conda-forge/linux-64' in result['msg']
    assert result['exception_name'] == 'PackagesNotFoundError'
    assert not os.path.exists(conda.env_prefix('broken'))


def test_create_failure_keeps_a_prefix_that_existed(conda, capsys, tmp_path):
    conda.missing.add('nopkg')
    prefix = tmp_path / 'empty'
    prefix.mkdir()
    rc, result = run(conda, capsys, prefix=str(prefix), packages=['nopkg'])
    assert rc == 1 and prefix.is_dir()


def test_refuses_non_env_directory(conda, capsys, tmp_path):
    prefix = tmp_path / 'data'
    prefix.mkdir()
    (prefix / 'precious.csv').write_text('1,2\n')
    rc, result = run(conda, capsys, prefix=str(prefix), packages=['x'])
    assert rc == 1 and 'not a conda environment' in result['msg']
    assert (prefix / 'precious.csv').exists() and conda.verbs() == []


def test_install_failure_in_existing_env(conda, capsys):
    prefix = conda.add_env(conda.env_prefix('a'), {'python': '3.12.7'})
    conda.missing.add('nopkg')
    rc, result = run(conda, capsys, name='a', packages=['nopkg'])
    assert rc == 1 and 'packages not found: nopkg' in result['msg']
    assert os.path.isdir(prefix) and conda.envs[prefix] == {'python': '3.12.7'}


def test_invalid_spec_fails_before_running_conda(conda, capsys):
    rc, result = run(conda, capsys, name='a', packages=['numpy >='])
    assert rc == 1 and 'invalid' in result['msg'] and conda.calls == []


@pytest.mark.parametrize('args', [
    {'packages': ['--x::pkg']},
    {'packages': ['--override-channels']},
    {'packages': ['python'], 'pip_packages': ['--index-url=https://evil.example/simple']},
    {'packages': ['python'], 'pip_packages': ['rich\n--pre']},
])
def test_option_lookalikes_fail_before_running_conda(conda, capsys, args):
    rc, result = run(conda, capsys, name='a', **args)
    assert rc == 1 and conda.calls == []
    assert 'start with "-"' in result['msg'], result['msg']


def test_latest_updates_installed_and_installs_missing(conda, capsys):
    conda.add_env(conda.env_prefix('a'), {'python': '3.12.7', 'numpy': '1.26.4'})
    rc, result = run(conda, capsys, name='a', state='latest', packages=['numpy', 'pandas'])
    assert conda.verbs() == ['install', 'update']
    update = [cmd for cmd in conda.calls if cmd[1] == 'update'][0]
    assert update[-1] == 'numpy'
    assert result['changed']


def test_file_create_then_noop_then_update(conda, capsys, tmp_path):
    envfile = tmp_path / 'environment.yml'
    envfile.write_text('dependencies:\n  - python=3.12\n  - pyyaml\n')
    rc, result = run(conda, capsys, name='f', file=str(envfile))
    prefix = conda.env_prefix('f')
    assert result['changed'] and conda.verbs() == ['env create']
    hash_file = os.path.join(prefix, 'conda-meta', 'teamhub-environment.sha256')
    assert os.path.isfile(hash_file)
    conda.calls[:] = []
    rc, result = run(conda, capsys, name='f', file=str(envfile))
    assert not result['changed'] and conda.verbs() == []
    envfile.write_text('dependencies:\n  - python=3.12\n  - pyyaml\n  - requests\n')
    conda.file_packages = dict(conda.file_packages, requests='2.32.3')
    rc, result = run(conda, capsys, check_mode=True, name='f', file=str(envfile))
    assert result['changed'] and conda.verbs() == []
    rc, result = run(conda, capsys, name='f', file=str(envfile))
    assert result['changed'] and conda.verbs() == ['env update']
    assert result['added'] == ['requests==2.32.3']
    rc, result = run(conda, capsys, name='f', file=str(envfile))
    assert not result['changed']


def test_clone(conda, capsys):
    conda.add_env(conda.env_prefix('src'), {'python': '3.12.7', 'numpy': '2.1.3'})
    rc, result = run(conda, capsys, name='copy', clone='src')
    assert result['changed'] and result['added'] == ['numpy==2.1.3', 'python==3.12.7']
    clone = [cmd for cmd in conda.calls if '--clone' in cmd][0]
    assert clone[-1] == conda.env_prefix('src')
    rc, result = run(conda, capsys, name='missing', clone='nope')
    assert rc == 1 and 'clone source' in result['msg']


def test_pip_packages(conda, capsys):
    prefix = conda.add_env(conda.env_prefix('a'), {'python': '3.12.7', 'pip': '24.3'}, pip={'rich': '13.9.4'})
    rc, result = run(conda, capsys, name='a', pip_packages=['rich>=13', 'Rich==13.9.4'])
    assert not result['changed'] and conda.verbs() == []
    rc, result = run(conda, capsys, check_mode=True, name='a', pip_packages=['rich>=13', 'tqdm==4.67.1'])
    assert result['changed'] and conda.verbs() == []
    rc, result = run(conda, capsys, name='a', pip_packages=['rich>=13', 'tqdm==4.67.1'])
    assert result['changed'] and conda.verbs() == ['pip install']
    pip = [cmd for cmd in conda.calls if cmd[1:4] == ['-m', 'pip', 'install']][0]
    assert pip[0] == os.path.join(prefix, 'bin', 'python') and pip[-1] == 'tqdm==4.67.1'
    assert 'rich>=13' not in pip


def test_pip_failure_is_reported(conda, capsys):
    conda.add_env(conda.env_prefix('a'), {'python': '3.12.7', 'pip': '24.3'})
    conda.pip_missing.add('nosuchdist')
    rc, result = run(conda, capsys, name='a', pip_packages=['nosuchdist'])
    assert rc == 1 and 'pip could not install nosuchdist' in result['msg']
    assert 'No matching distribution' in result['msg']


def test_pip_failure_on_a_new_environment_removes_it_again(conda, capsys):
    conda.pip_missing.add('nosuchdist')
    rc, result = run(conda, capsys, name='fresh', packages=['python=3.12', 'pip'], pip_packages=['nosuchdist'])
    assert rc == 1 and 'pip could not install nosuchdist' in result['msg']
    assert result['msg'].endswith('(the new environment %s is removed again)' % conda.env_prefix('fresh'))
    assert conda.verbs() == ['create', 'pip install']
    assert not os.path.exists(conda.env_prefix('fresh'))


def test_pip_needs_pip(conda, capsys):
    conda.add_env(conda.env_prefix('a'), {'python': '3.12.7'})
    rc, result = run(conda, capsys, name='a', pip_packages=['rich'])
    assert rc == 1 and 'add pip to packages' in result['msg']


def test_name_and_prefix_exclusive(conda, capsys):
    rc, result = run(conda, capsys, name='a', prefix='/x')
    assert rc == 1 and 'mutually exclusive' in result['msg']
    rc, result = run(conda, capsys)
    assert rc == 1 and 'one of the following is required' in result['msg']


def test_success_without_json_is_read_from_package_lists(conda, capsys, monkeypatch):
    prefix = conda.add_env(conda.env_prefix('a'), {'python': '3.12.7'})
    real_install = conda.run_install

    def noisy_install(prefix, specs, dry, args):
        real_install(prefix, specs, dry, args)
        return 0, 'Transaction finished\n', ''

    monkeypatch.setattr(conda, 'run_install', noisy_install)
    rc, result = run(conda, capsys, name='a', packages=['six'])
    assert rc == 0 and result['changed'] and result['added'] == ['six==1.0']
    assert conda.envs[prefix]['six'] == '1.0'


def test_latest_in_check_mode_only_dry_runs(conda, capsys):
    prefix = conda.add_env(conda.env_prefix('a'), {'python': '3.12.7', 'numpy': '1.26.4'})
    rc, result = run(conda, capsys, check_mode=True, name='a', state='latest', packages=['numpy', 'pandas'])
    assert rc == 0 and result['changed']
    # "--dry-run" must come before "--": after it, conda would take it for a package
    assert conda.verbs() == ['install --dry-run', 'update --dry-run']
    assert conda.envs[prefix] == {'python': '3.12.7', 'numpy': '1.26.4'}
    assert result['added'] == ['pandas==1.0']
    assert result['changed_packages'] == [{'name': 'numpy', 'before': '1.26.4', 'after': '99.0'}]
    assert all('--dry-run --' in cmd for cmd in result['cmd'])


def test_latest_on_a_new_env_creates_without_update(conda, capsys):
    rc, result = run(conda, capsys, name='fresh', state='latest', packages=['numpy'])
    assert rc == 0 and result['changed'] and conda.verbs() == ['create']


def test_absent_in_check_mode_plans_the_removal(conda, capsys):
    prefix = conda.add_env(conda.env_prefix('old'), {'python': '3.12.7'})
    rc, result = run(conda, capsys, check_mode=True, diff=True, name='old', state='absent')
    assert result['changed'] and os.path.isdir(prefix)
    assert result['cmd'] == ['%s remove --all --yes --json -p %s  # not run in check mode' % (conda.exe, prefix)]
    assert result['diff']['before'] == 'python==3.12.7\n' and result['diff']['after'] == ''


def test_missing_conda_fails_before_anything_runs(conda, capsys, tmp_path):
    rc, result = run(conda, capsys, executable=str(tmp_path / 'nothing' / 'conda'), name='a')
    assert rc == 1 and 'not found' in result['msg'] and conda.calls == []
