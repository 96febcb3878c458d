# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import stat

import pytest

from ansible_collections.teamhub.jupyter.plugins.modules import root_tree as module

from ..module_runner import run_module

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='chown to other accounts needs root')


@pytest.fixture
def prefix(tmp_path):
    top = tmp_path / 'prefix'
    (top / 'bin').mkdir(parents=True)
    os.chmod(str(top), 0o755)
    os.chmod(str(top / 'bin'), 0o775)
    os.chown(str(top / 'bin'), 1001, 1001)
    return str(top)


def test_check_mode_reports_and_changes_nothing(prefix, capsys):
    code, result = run_module(module.main, dict(path=prefix), capsys, check_mode=True, diff=True)
    assert code == 0 and result['changed'] is True and result['count'] == 1
    assert result['diff']['before'] == '%s/bin: owned by 1001:1001, mode 0775\n' % prefix
    assert os.stat(os.path.join(prefix, 'bin')).st_uid == 1001


def test_fixes_then_reports_nothing_to_do(prefix, capsys):
    code, result = run_module(module.main, dict(path=prefix), capsys)
    assert code == 0 and result['changed'] is True
    assert result['entries'] == [{'path': prefix + '/bin', 'problem': 'owned by 1001:1001, mode 0775'}]
    st = os.stat(os.path.join(prefix, 'bin'))
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, 0, 0o755)
    code, again = run_module(module.main, dict(path=prefix), capsys, diff=True)
    assert code == 0 and again['changed'] is False and again['count'] == 0 and 'diff' not in again


def test_a_missing_tree_fails_naming_it(tmp_path, capsys):
    code, result = run_module(module.main, dict(path=str(tmp_path / 'missing')), capsys)
    assert code == 1 and result['failed'] is True
    assert result['msg'].startswith('cannot read %s' % (tmp_path / 'missing'))


def test_check_mode_on_a_tree_not_made_yet_has_nothing_to_correct(tmp_path, capsys):
    code, result = run_module(module.main, dict(path=str(tmp_path / 'missing')), capsys, check_mode=True)
    assert code == 0 and result['changed'] is False and result['count'] == 0
