# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the tailscale_prefs module with the CLI answering recorded outputs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

from ansible_collections.teamhub.jupyter.plugins.modules import tailscale_prefs as module

from ..module_runner import run_module
from ..tailscale_fakes import fixture


def test_off_stays_off(tailscale_cli, capsys):
    rc, result = run_module(module.main, {'update_check': False}, capsys)
    assert rc == 0 and result['changed'] is False and tailscale_cli.commands('set') == []


def test_on_is_turned_off(tailscale_cli, capsys):
    tailscale_cli.prefs = fixture('prefs-update-check-on.json')
    rc, result = run_module(module.main, {'update_check': False}, capsys, diff=True)
    assert rc == 0 and result['changed'] is True
    assert tailscale_cli.commands('set') == [['set', '--update-check=false']]
    assert result['diff'] == {'before': {'update_check': True}, 'after': {'update_check': False}}
    rc, result = run_module(module.main, {'update_check': False}, capsys)
    assert rc == 0 and result['changed'] is False


def test_check_mode(tailscale_cli, capsys):
    rc, result = run_module(module.main, {'update_check': True}, capsys, check_mode=True)
    assert rc == 0 and result['changed'] is True and tailscale_cli.commands('set') == []


def test_unreadable_prefs_are_set_anyway(tailscale_cli, capsys):
    tailscale_cli.fail['debug'] = (1, 'failed to connect to local tailscaled')
    rc, result = run_module(module.main, {'update_check': False}, capsys)
    assert rc == 0 and result['changed'] is True and tailscale_cli.commands('set') == [['set', '--update-check=false']]


def test_cli_error(tailscale_cli, capsys):
    tailscale_cli.prefs = fixture('prefs-update-check-on.json')
    tailscale_cli.fail['set'] = (1, 'invalid value "maybe" for flag -update-check\n')
    rc, result = run_module(module.main, {'update_check': False}, capsys)
    assert rc == 1 and result['msg'].startswith('"tailscale set" failed (rc=1): invalid value')
