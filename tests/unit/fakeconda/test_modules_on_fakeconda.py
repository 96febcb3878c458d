# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The conda_env and conda_env_info modules driving the conda stand-in for real.

Offline: the only environment made holds python and pip, which the machine's
Python provides without an index.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json
import os

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.teamhub.jupyter.plugins.modules import conda_env, conda_env_info


def run(main, capsys, **args):
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exc:
            main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def test_env_from_file_is_created_once_then_removed(root, capsys, tmp_path):
    exe = os.path.join(root, 'bin', 'conda')
    envfile = tmp_path / 'environment.yml'
    envfile.write_text('name: ignored\nchannels:\n  - conda-forge\ndependencies:\n  - python\n  - pip\n')
    rc, result = run(conda_env.main, capsys, executable=exe, name='team', file=str(envfile))
    prefix = os.path.join(root, 'envs', 'team')
    assert rc == 0, result
    assert result['changed'] and result['prefix'] == prefix and result['name'] == 'team'
    assert any(a.startswith('python==') for a in result['added'])
    assert os.path.isfile(os.path.join(prefix, 'conda-meta', 'teamhub-environment.sha256'))

    rc, result = run(conda_env.main, capsys, executable=exe, name='team', file=str(envfile),
                     packages=['python', 'pip'], pip_packages=['pip'])
    assert rc == 0, result
    assert not result['changed'] and result['cmd'] == []

    rc, result = run(conda_env_info.main, capsys, executable=exe, name='team', packages=True)
    [env] = result['envs']
    assert env['prefix'] == prefix and {'python', 'pip'} <= set(p['name'] for p in env['packages'])

    rc, result = run(conda_env.main, capsys, executable=exe, prefix=prefix, state='absent')
    assert rc == 0 and result['changed'] and not os.path.exists(prefix)
