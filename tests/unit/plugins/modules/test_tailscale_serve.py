# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the tailscale_serve module with the CLI answering recorded outputs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

from ansible_collections.teamhub.jupyter.plugins.modules import tailscale_serve as module

from ..module_runner import run_module
from ..tailscale_fakes import fixture


def test_publishes_the_port(tailscale_cli, capsys):
    rc, result = run_module(module.main, {'port': 8000}, capsys, diff=True)
    assert rc == 0 and result['changed'] is True and result['target'] == 'http://127.0.0.1:8000'
    assert tailscale_cli.commands('serve')[-1] == ['serve', '--bg', '--yes', '--http=80', 'http://127.0.0.1:8000']
    assert result['diff'] == {'before': {'http:80': ''}, 'after': {'http:80': 'http://127.0.0.1:8000'}}


def test_already_published(tailscale_cli, capsys):
    tailscale_cli.serve = fixture('serve-hub.json')
    rc, result = run_module(module.main, {'port': 8000, 'listen_port': 80}, capsys)
    assert rc == 0 and result['changed'] is False
    assert tailscale_cli.commands('serve') == [['serve', 'status', '--json']]


def test_other_port_in_check_mode(tailscale_cli, capsys):
    tailscale_cli.serve = fixture('serve-hub.json')
    rc, result = run_module(module.main, {'port': 8081}, capsys, check_mode=True, diff=True)
    assert rc == 0 and result['changed'] is True
    assert result['diff']['before'] == {'http:80': 'http://127.0.0.1:8000'}
    assert tailscale_cli.commands('serve') == [['serve', 'status', '--json']]


def test_off(tailscale_cli, capsys):
    tailscale_cli.serve = fixture('serve-hub.json')
    rc, result = run_module(module.main, {'port': 0}, capsys)
    assert rc == 0 and result['changed'] is True and result['target'] == ''
    assert tailscale_cli.commands('serve')[-1] == ['serve', '--http=80', 'off']
    tailscale_cli.serve = fixture('serve-empty.json')
    rc, result = run_module(module.main, {'port': 0}, capsys)
    assert rc == 0 and result['changed'] is False


def test_https_listens_on_443(tailscale_cli, capsys):
    rc, result = run_module(module.main, {'port': 8000, 'protocol': 'https'}, capsys)
    assert rc == 0 and tailscale_cli.commands('serve')[-1][3] == '--https=443'


def test_cli_error(tailscale_cli, capsys):
    tailscale_cli.fail['serve'] = (1, 'serve: Serve is not enabled on your tailnet.\n')
    rc, result = run_module(module.main, {'port': 8000}, capsys)
    assert rc == 1 and result['msg'] == '"tailscale serve" failed (rc=1): serve: Serve is not enabled on your tailnet.'


def test_bad_port(tailscale_cli, capsys):
    rc, result = run_module(module.main, {'port': 70000}, capsys)
    assert rc == 1 and 'port must be 0-65535' in result['msg']
