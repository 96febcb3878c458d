# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.modules import secret_files as module

from ..module_runner import run_module

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='chown needs root')


def test_generates_then_reports_nothing_to_do_and_never_returns_a_secret(tmp_path, capsys):
    args = dict(files=[dict(path=str(tmp_path / 'cookie'))])
    code, result = run_module(module.main, args, capsys, diff=True)
    secret = (tmp_path / 'cookie').read_text().strip()
    assert code == 0 and result['changed'] is True and result['generated'] == [str(tmp_path / 'cookie')]
    assert result['diff']['after'] == '%s: generated, root:root 0600\n' % (tmp_path / 'cookie')
    assert secret not in str(result)
    code, result = run_module(module.main, args, capsys)
    assert code == 0 and result['changed'] is False


def test_check_mode_changes_nothing(tmp_path, capsys):
    code, result = run_module(module.main, dict(files=[dict(path=str(tmp_path / 'cookie'))]), capsys,
                              check_mode=True)
    assert code == 0 and result['changed'] is True and not os.listdir(str(tmp_path))


def test_a_malformed_secret_fails_with_its_name(tmp_path, capsys):
    (tmp_path / 'cookie').write_text('\n')
    code, result = run_module(module.main, dict(files=[dict(path=str(tmp_path / 'cookie'))]), capsys)
    assert code == 1 and result['failed'] is True
    assert result['msg'].startswith('%s is empty or malformed' % (tmp_path / 'cookie'))


def test_too_few_bytes_is_refused(tmp_path, capsys):
    code, result = run_module(module.main, dict(files=[dict(path=str(tmp_path / 'c'))], bytes=8), capsys)
    assert code == 1 and result['msg'] == 'bytes must be at least 16, not 8'
    assert not os.listdir(str(tmp_path))
