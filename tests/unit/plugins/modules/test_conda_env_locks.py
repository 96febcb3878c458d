# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Module conda_env with a lock, end to end against the conda stand-in (offline).

Environments hold only what a venv brings (python, pip, setuptools), which needs no
package index; locks with packages from an index are checked by molecule (scenario
miniconda). The stand-in's package hashes are digests of the package URL.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import hashlib
import json
import os
import subprocess

import pytest

from ansible_collections.teamhub.jupyter.plugins.modules import conda_env
from ansible_collections.teamhub.jupyter.plugins.modules import conda_env_info

from ..module_runner import run_module


@pytest.fixture
def exe(root):
    return os.path.join(root, 'bin', 'conda')


def conda(root, *args):
    proc = subprocess.run([os.path.join(root, 'bin', 'conda')] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def conda_json(root, *args):
    rc, out, err = conda(root, *args)
    assert rc == 0, (out, err)
    return json.loads(out)


@pytest.fixture
def lock(root, exe, tmp_path):
    """The explicit lock of a fresh environment with python only."""
    source = os.path.join(root, 'envs', 'source')
    conda_json(root, 'create', '--yes', '--json', '-p', source, 'python')
    path = tmp_path / 'env.lock'
    path.write_text(conda(root, 'list', '--explicit', '--md5', '-p', source)[1])
    return path


def apply(exe, capsys, check_mode=False, **args):
    args.setdefault('executable', exe)
    args.setdefault('name', 'locked')
    return run_module(conda_env.main, args, capsys, check_mode=check_mode)


def explicit(root, name='locked'):
    return conda(root, 'list', '--explicit', '--md5', '-n', name)[1]


def with_line(text, name, new):
    """The lock with package NAME's line replaced by NEW (None: dropped)."""
    lines = [line for line in text.splitlines() if f'/{name}-' not in line]
    return '\n'.join(lines + ([new] if new else [])) + '\n'


def url_line(url):
    return '%s#%s' % (url, hashlib.md5(url.encode()).hexdigest())


def test_created_from_the_lock_then_nothing_to_do(root, exe, lock, capsys):
    rc, result = apply(exe, capsys, lock=str(lock))
    assert rc == 0 and result['changed'] and result['drift'] == []
    assert [cmd.split()[1] for cmd in result['cmd']] == ['create']
    assert '--file' in result['cmd'][0]
    assert explicit(root) == lock.read_text()
    rc, result = apply(exe, capsys, lock=str(lock))
    assert rc == 0 and not result['changed'] and result['cmd'] == [] and result['drift'] == []


def test_drift_is_named_reported_in_check_mode_and_put_back(root, exe, lock, tmp_path, capsys):
    apply(exe, capsys, lock=str(lock))
    text = lock.read_text()
    setuptools = [line for line in text.splitlines() if '/setuptools-' in line][0].split('#')[0]
    # the lock now wants another build of setuptools and no pip
    rebuilt = setuptools.replace('-fake_0.conda', '-fake_1.conda')
    new = tmp_path / 'new.lock'
    new.write_text(with_line(with_line(text, 'setuptools', url_line(rebuilt)), 'pip', None))
    before = explicit(root)
    rc, result = apply(exe, capsys, check_mode=True, lock=str(new))
    version = setuptools.rsplit('/setuptools-', 1)[1].split('-')[0]
    assert rc == 0 and result['changed']
    assert result['drift'] == ['conda setuptools: %s-fake_0 (lock: %s-fake_1)' % (version, version),
                               'conda pip: not in the lock']
    assert all(cmd.endswith('# not run in check mode') for cmd in result['cmd'])
    assert explicit(root) == before
    rc, result = apply(exe, capsys, lock=str(new))
    assert rc == 0 and result['changed'] and len(result['drift']) == 2
    assert sorted(explicit(root).splitlines()[5:]) == sorted(new.read_text().splitlines()[5:])
    rc, result = apply(exe, capsys, lock=str(new))
    assert rc == 0 and not result['changed'] and result['drift'] == []


def test_a_wrong_hash_fails_in_conda_and_the_environment_stays(root, exe, lock, tmp_path, capsys):
    apply(exe, capsys, lock=str(lock))
    before = explicit(root)
    lines = lock.read_text().splitlines()
    url = [line for line in lines if '/python-' in line][0].split('#')[0]
    bad = tmp_path / 'bad.lock'
    bad.write_text(with_line(lock.read_text(), 'python', '%s#%s' % (url, '0' * 32)))
    rc, result = apply(exe, capsys, lock=str(bad))
    assert rc == 1 and 'ChecksumMismatchError' in result['msg'] and url in result['msg']
    assert explicit(root) == before
    rc, result = apply(exe, capsys, name='never', lock=str(bad))
    assert rc == 1 and not os.path.exists(os.path.join(root, 'envs', 'never'))


@pytest.mark.parametrize('text, message', [
    ('numpy==1.0\n', 'has no line @EXPLICIT'),
    ('@EXPLICIT\nnumpy\n', "line 2: 'numpy' is not a package URL"),
    ('# platform: osx-arm64\n@EXPLICIT\nhttps://x.invalid/c/osx-arm64/a-1-0.conda\n', 'platform osx-arm64'),
    ('@EXPLICIT\nhttps://x.invalid/c/linux-64/a-1-0.conda\n# pip b @ https://x.invalid/b.whl#sha256=00\n',
     'pip package in a conda-lock file'),
])
def test_a_bad_lock_fails_before_conda_changes_anything(root, exe, tmp_path, capsys, text, message):
    bad = tmp_path / 'bad.lock'
    bad.write_text(text)
    rc, result = apply(exe, capsys, lock=str(bad))
    assert rc == 1 and message in result['msg'] and str(bad) in result['msg']
    assert result['cmd'] == []


def test_lock_excludes_packages_and_latest(root, exe, lock, capsys):
    rc, result = apply(exe, capsys, lock=str(lock), packages=['six'])
    assert rc == 1 and 'lock and packages are mutually exclusive' in result['msg']
    rc, result = apply(exe, capsys, lock=str(lock), pip_lock=str(lock), pip_packages=['rich'])
    assert rc == 1 and 'pip_lock and pip_packages are mutually exclusive' in result['msg']
    rc, result = apply(exe, capsys, lock=str(lock), packages=[], pip_packages=[])
    assert rc == 0
    rc, result = apply(exe, capsys, lock=str(lock), state='latest')
    assert rc == 1 and 'state=latest' in result['msg']


def test_info_returns_the_lock_that_recreates_the_environment(root, exe, lock, tmp_path, capsys):
    apply(exe, capsys, lock=str(lock))
    rc, info = run_module(conda_env_info.main, {'executable': exe, 'name': 'locked', 'lock': True}, capsys)
    assert rc == 0 and not info['changed']
    [env] = info['envs']
    assert env['lock'] == lock.read_text() and env['pip_lock'] == ''
    again = tmp_path / 'again.lock'
    again.write_text(env['lock'])
    rc, result = apply(exe, capsys, name='again', lock=str(again))
    assert rc == 0 and explicit(root, 'again') == lock.read_text()
