# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os

from ansible_collections.teamhub.jupyter.plugins.modules import kernelspec as kernelspec_module
from ansible_collections.teamhub.jupyter.plugins.modules import kernelspec_info as module

from ..kernelspec_fakes import make_env
from ..module_runner import run_module


def run(capsys, mod, args):
    return run_module(mod.main, args, capsys)[1]


def test_lists_what_kernelspec_wrote(tmp_path, capsys):
    root = str(tmp_path / 'conda')
    make_env(root)
    make_env(os.path.join(root, 'envs', 'analysis'))
    jprefix = str(tmp_path / 'jupyter')
    empty = run(capsys, module, dict(prefix=jprefix, _ansible_check_mode=True))
    assert empty == {'changed': False, 'kernels': {}, 'kernels_dir': os.path.join(jprefix, 'share', 'jupyter', 'kernels'),
                     'invocation': empty['invocation']}
    for name in ('analysis', 'base'):
        written = run(capsys, kernelspec_module, dict(name=name, conda_env=name, conda_root=root, prefix=jprefix))
        assert written['changed'] is True
    listed = run(capsys, module, dict(prefix=jprefix))
    assert listed['changed'] is False
    assert sorted(listed['kernels']) == ['analysis', 'base']
    assert listed['kernels']['base']['kernel_spec'] == written['kernel_spec']  # the last one written
    assert listed['kernels']['base']['python'] == os.path.join(root, 'bin', 'python')
    assert listed['kernels']['base']['activated'] is True
    one = run(capsys, module, dict(prefix=jprefix, name='analysis'))
    assert list(one['kernels']) == ['analysis']
    none = run(capsys, module, dict(prefix=jprefix, name='missing'))
    assert none['kernels'] == {}


def test_kernels_dir_and_prefix_exclusive(capsys):
    result = run(capsys, module, dict(prefix='/a', kernels_dir='/b'))
    assert result['failed'] is True
    assert 'mutually exclusive' in result['msg']
