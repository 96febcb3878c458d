# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the tailscale_up module with the CLI answering recorded outputs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import tailscale as ts
from ansible_collections.teamhub.jupyter.plugins.modules import tailscale_up as module

from ..module_runner import run_module
from ..tailscale_fakes import fixture

UP_ARGS = ['--reset', '--login-server=https://headscale.test.invalid', '--hostname=ts-hub']
KEY = 'hskey-auth-0123456789abcdef'


@pytest.fixture
def paths(tmp_path):
    return {'hash_file': str(tmp_path / 'teamhub-up.sha256'), 'authkey_file': str(tmp_path / 'authkey')}


def args(paths, **extra):
    result = dict(paths, up_args=UP_ARGS, timeout='120s', wait_delay=0)
    result.update(extra)
    return result


def store_hash(paths, up_args=None):
    ts.write_hash_file(paths['hash_file'], ts.settings_hash(up_args or UP_ARGS))


def test_running_online_with_same_settings_does_nothing(tailscale_cli, paths, capsys):
    store_hash(paths)
    rc, result = run_module(module.main, args(paths), capsys)
    assert rc == 0 and result['changed'] is False, result
    assert tailscale_cli.commands('up') == []
    assert result['backend_state'] == 'Running' and result['online'] is True
    assert result['ipv4'].startswith('100.') and result['ipv6'].startswith('fd7a:')
    assert result['dns_name'] and not result['dns_name'].endswith('.')


def test_settings_changed_runs_up_without_a_key(tailscale_cli, paths, capsys):
    store_hash(paths, ['--reset'])
    rc, result = run_module(module.main, args(paths), capsys, diff=True)
    assert rc == 0 and result['changed'] is True, result
    assert tailscale_cli.commands('up') == [['up'] + UP_ARGS + ['--timeout=120s']]
    assert result['reasons'] == ['the up settings changed']
    assert result['diff']['before']['settings_hash'] == ts.settings_hash(['--reset'])
    assert result['diff']['after']['settings_hash'] == ts.settings_hash(UP_ARGS)
    assert ts.read_hash_file(paths['hash_file']) == ts.settings_hash(UP_ARGS)


def test_running_offline_runs_up(tailscale_cli, paths, capsys):
    store_hash(paths)
    tailscale_cli.status = fixture('status-running-offline.json')
    rc, result = run_module(module.main, args(paths), capsys)
    assert rc == 0 and result['changed'] and result['reasons'] == ['the node is not online']
    assert len(tailscale_cli.commands('up')) == 1 and result['online'] is True


def test_logged_out_node_logs_in_with_the_key_in_a_file(tailscale_cli, paths, capsys):
    tailscale_cli.status = fixture('status-needslogin.json')
    rc, result = run_module(module.main, args(paths, authkey=KEY), capsys, diff=True)
    assert rc == 0 and result['changed'] is True, result
    [up] = tailscale_cli.commands('up')
    assert up[-1] == '--auth-key=file:' + paths['authkey_file']
    assert not any(KEY in arg for call in tailscale_cli.calls for arg in call)
    # The key was in a 0600 file while "up" ran, and is gone after.
    assert tailscale_cli.authkeys == [(paths['authkey_file'], '0o600', KEY)]
    assert not os.path.exists(paths['authkey_file'])
    assert KEY not in repr(result)
    assert result['diff']['before']['backend_state'] == 'NeedsLogin'
    assert result['backend_state'] == 'Running' and result['ipv4']


def test_logged_out_node_without_a_key_fails_clearly(tailscale_cli, paths, capsys):
    tailscale_cli.status = fixture('status-needslogin.json')
    rc, result = run_module(module.main, args(paths), capsys)
    assert rc == 1 and 'set tailscale_authkey' in result['msg'] and 'state NeedsLogin' in result['msg']
    assert tailscale_cli.commands('up') == [] and not os.path.exists(paths['hash_file'])


def test_check_mode_reports_and_runs_nothing(tailscale_cli, paths, capsys):
    tailscale_cli.status = fixture('status-needslogin.json')
    rc, result = run_module(module.main, args(paths, authkey=KEY), capsys, check_mode=True, diff=True)
    assert rc == 0 and result['changed'] is True
    assert result['diff']['after']['backend_state'] == 'Running'
    assert tailscale_cli.commands('up') == [] and not os.path.exists(paths['hash_file'])
    assert not os.path.exists(paths['authkey_file'])


def test_check_mode_before_install(tailscale_cli, paths, capsys):
    tailscale_cli.exe = None
    rc, result = run_module(module.main, args(paths), capsys, check_mode=True)
    assert rc == 0 and result['changed'] is True and tailscale_cli.calls == []
    rc, result = run_module(module.main, args(paths), capsys)
    assert rc == 1 and 'tailscale not found' in result['msg']


def test_cli_error_fails_with_its_text_and_removes_the_key(tailscale_cli, paths, capsys):
    tailscale_cli.status = fixture('status-needslogin.json')
    tailscale_cli.fail['up'] = (1, 'backend error: invalid key: unable to validate API key\n')
    rc, result = run_module(module.main, args(paths, authkey=KEY), capsys)
    assert rc == 1
    assert result['msg'] == '"tailscale up" failed (rc=1): backend error: invalid key: unable to validate API key'
    assert not os.path.exists(paths['authkey_file']) and not os.path.exists(paths['hash_file'])


def test_daemon_not_answering(tailscale_cli, paths, capsys):
    tailscale_cli.fail['status'] = (1, 'failed to connect to local tailscaled')
    rc, result = run_module(module.main, args(paths, wait_retries=1), capsys)
    assert rc == 1 and 'failed to connect to local tailscaled' in result['msg']
    rc, result = run_module(module.main, args(paths, wait_retries=1), capsys, check_mode=True)
    assert rc == 0 and result['changed'] is True


def test_waits_while_starting(tailscale_cli, paths, capsys, monkeypatch):
    store_hash(paths)
    tailscale_cli.status = fixture('status-starting.json')
    reads = []

    def sleep(_seconds):
        reads.append(1)
        tailscale_cli.status = fixture('status-running-online.json')
    monkeypatch.setattr(ts.time, 'sleep', sleep)
    rc, result = run_module(module.main, args(paths, wait_delay=1), capsys)
    assert rc == 0 and result['changed'] is False and reads == [1]


def test_absent_logs_out(tailscale_cli, capsys):
    rc, result = run_module(module.main, {'state': 'absent'}, capsys, check_mode=True)
    assert rc == 0 and result['changed'] is True and tailscale_cli.commands('logout') == []
    rc, result = run_module(module.main, {'state': 'absent'}, capsys)
    assert rc == 0 and result['changed'] is True and tailscale_cli.commands('logout') == [['logout']]
    assert result['backend_state'] == 'NeedsLogin'
    rc, result = run_module(module.main, {'state': 'absent'}, capsys)
    assert rc == 0 and result['changed'] is False and len(tailscale_cli.commands('logout')) == 1


def test_absent_without_tailscale_or_daemon(tailscale_cli, capsys):
    tailscale_cli.fail['status'] = (1, 'failed to connect to local tailscaled')
    rc, result = run_module(module.main, {'state': 'absent'}, capsys)
    assert rc == 0 and result['changed'] is False
    tailscale_cli.exe = None
    rc, result = run_module(module.main, {'state': 'absent'}, capsys)
    assert rc == 0 and result['changed'] is False
