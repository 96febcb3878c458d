# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of plugins/module_utils/tailscale.py on recorded CLI outputs.

The outputs in fixtures/tailscale/ were recorded from the tailscaled of the molecule
scenario "tailscale" (see fixtures/tailscale/README.md).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import hashlib
import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import tailscale as ts

from ..tailscale_fakes import FakeTailscale, fixture, fixture_json

UP_ARGS = ['--reset', '--login-server=https://headscale.test.invalid', '--hostname=ts-hub',
           '--accept-dns=false', '--accept-routes=false', '--ssh=false']


# ---------------------------------------------------------------- status

def test_parse_running_online():
    status = ts.parse_status(fixture_json('status-running-online.json'))
    assert status['backend_state'] == 'Running' and status['online'] is True
    assert status['ipv4'].startswith('100.') and '.' in status['ipv4']
    assert status['ipv6'].startswith('fd7a:115c:a1e0:')
    assert status['dns_name'] and not status['dns_name'].endswith('.')
    assert status['dns_name'] == fixture_json('status-running-online.json')['Self']['DNSName'].rstrip('.')


def test_parse_running_offline():
    status = ts.parse_status(fixture_json('status-running-offline.json'))
    assert status['backend_state'] == 'Running' and status['online'] is False


def test_parse_needs_login():
    status = ts.parse_status(fixture_json('status-needslogin.json'))
    assert status['backend_state'] == 'NeedsLogin' and status['online'] is False
    assert ts.addresses(status) == {'ipv4': '', 'ipv6': '', 'dns_name': ''}
    assert ts.needs_login(status) and not ts.needs_logout(status)


def test_parse_nothing():
    status = ts.parse_status({})
    assert status['backend_state'] == '' and not status['online']
    assert ts.addresses(status) == {'ipv4': '', 'ipv6': '', 'dns_name': ''}


def test_load_json():
    assert ts.load_json('') == {} and ts.load_json('null') == {}
    assert ts.load_json(fixture('serve-hub.json'))['TCP']
    with pytest.raises(ts.TailscaleError, match='did not print JSON'):
        ts.load_json('failed to connect to local tailscaled', 'tailscale status --json')
    with pytest.raises(ts.TailscaleError, match='not an object'):
        ts.load_json('[1]')


# ---------------------------------------------------------------- up

def test_settings_hash_is_the_roles_hash():
    # The role stored sha256 of the arguments joined by newlines: existing hash files stay valid.
    assert ts.settings_hash(UP_ARGS) == hashlib.sha256('\n'.join(UP_ARGS).encode()).hexdigest()


def test_up_reasons():
    wanted = ts.settings_hash(UP_ARGS)
    online = ts.parse_status(fixture_json('status-running-online.json'))
    assert ts.up_reasons(online, wanted, wanted) == []
    assert ts.up_reasons(online, 'old', wanted) == ['the up settings changed']
    assert ts.up_reasons(online, '', wanted) == ['no record of the up settings']
    offline = ts.parse_status(fixture_json('status-running-offline.json'))
    assert ts.up_reasons(offline, wanted, wanted) == ['the node is not online']
    logged_out = ts.parse_status(fixture_json('status-needslogin.json'))
    assert ts.up_reasons(logged_out, wanted, wanted) == ['the node is NeedsLogin, not Running']
    assert ts.up_reasons({}, wanted, wanted) == ['the node is not answering, not Running']


def test_login_error_names_the_setting():
    msg = ts.login_error(ts.parse_status(fixture_json('status-needslogin.json')))
    assert 'state NeedsLogin' in msg and 'set tailscale_authkey' in msg
    assert 'headscale preauthkeys create' in msg


def test_up_argv_never_holds_the_key():
    assert ts.up_argv(UP_ARGS, '120s', '/run/key') == ['up'] + UP_ARGS + ['--timeout=120s', '--auth-key=file:/run/key']
    assert ts.up_argv(UP_ARGS) == ['up'] + UP_ARGS


def test_hash_and_secret_files(tmp_path):
    path = str(tmp_path / 'teamhub-up.sha256')
    assert ts.read_hash_file(path) == ''
    ts.write_hash_file(path, 'abc')
    assert open(path).read() == 'abc\n' and ts.read_hash_file(path) == 'abc'
    assert os.stat(path).st_mode & 0o777 == 0o600
    key = str(tmp_path / 'key')
    with open(key, 'w') as handle:
        handle.write('stale')
    os.chmod(key, 0o644)
    ts.write_secret_file(key, 'secret')
    assert open(key).read() == 'secret' and os.stat(key).st_mode & 0o777 == 0o600
    ts.remove_file(key)
    ts.remove_file(key)
    assert not os.path.exists(key)


# ---------------------------------------------------------------- the client

def test_cli_error_keeps_the_cli_text():
    fake = FakeTailscale()
    fake.fail['status'] = (1, 'failed to connect to local tailscaled; it doesn\'t appear to be running\n')
    cli = ts.TailscaleCLI(fake.exe, fake.run_command)
    with pytest.raises(ts.TailscaleError) as exc:
        cli.status()
    assert exc.value.rc == 1
    assert exc.value.message == ('"tailscale status" failed (rc=1): failed to connect to local tailscaled; '
                                 'it doesn\'t appear to be running')


def test_wait_settled_waits_for_the_backend():
    fake = FakeTailscale(status='status-starting.json')
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            fake.status = fixture('status-running-online.json')

    status = ts.TailscaleCLI(fake.exe, fake.run_command).wait_settled(retries=5, delay=2, sleep=sleep)
    assert status['backend_state'] == 'Running' and sleeps == [2, 2]


def test_wait_settled_gives_up():
    fake = FakeTailscale(status='status-starting.json')
    cli = ts.TailscaleCLI(fake.exe, fake.run_command)
    assert cli.wait_settled(retries=3, delay=0, sleep=lambda s: None)['backend_state'] == 'Starting'
    assert len(fake.calls) == 4
    fake.fail['status'] = (1, 'no tailscaled')
    with pytest.raises(ts.TailscaleError, match='no tailscaled'):
        cli.wait_settled(retries=2, delay=0, sleep=lambda s: None)


def test_find_executable():
    assert ts.find_executable('tailscale', lambda name: '/usr/bin/' + name) == '/usr/bin/tailscale'
    assert ts.find_executable('tailscale', lambda name: None) is None
    assert ts.find_executable('/opt/ts/tailscale', None, is_exe=lambda p: True) == '/opt/ts/tailscale'
    assert ts.find_executable('/opt/ts/tailscale', None, is_exe=lambda p: False) is None


# ---------------------------------------------------------------- serve

def test_serve_absent_publishes():
    argv, before, after = ts.plan_serve(fixture_json('serve-empty.json'), 8000, 'http', 80)
    assert argv == ['serve', '--bg', '--yes', '--http=80', 'http://127.0.0.1:8000']
    assert (before, after) == ('', 'http://127.0.0.1:8000')


def test_serve_present_is_left_alone():
    config = fixture_json('serve-hub.json')
    assert ts.served_targets(config, 80) == ['http://127.0.0.1:8000']
    assert ts.plan_serve(config, 8000, 'http', 80) == (None, 'http://127.0.0.1:8000', 'http://127.0.0.1:8000')


def test_serve_other_port_is_replaced():
    argv, before, after = ts.plan_serve(fixture_json('serve-hub.json'), 8081, 'http', 80)
    assert argv == ['serve', '--bg', '--yes', '--http=80', 'http://127.0.0.1:8081']
    assert (before, after) == ('http://127.0.0.1:8000', 'http://127.0.0.1:8081')


def test_serve_other_listen_port_is_not_ours():
    config = fixture_json('serve-hub.json')
    assert ts.served_targets(config, 443) == []
    argv = ts.plan_serve(config, 8000, 'https', 443)[0]
    assert argv == ['serve', '--bg', '--yes', '--https=443', 'http://127.0.0.1:8000']
    assert ts.plan_serve(config, 0, 'https', 443) == (None, '', '')


def test_serve_off():
    argv, before, after = ts.plan_serve(fixture_json('serve-hub.json'), 0, 'http', 80)
    assert argv == ['serve', '--http=80', 'off'] and (before, after) == ('http://127.0.0.1:8000', '')
    assert ts.plan_serve(fixture_json('serve-empty.json'), 0, 'http', 80) == (None, '', '')


# ---------------------------------------------------------------- prefs

def test_update_check():
    off = fixture_json('prefs-update-check-off.json')
    on = fixture_json('prefs-update-check-on.json')
    assert ts.update_check(off) is False and ts.update_check(on) is True
    assert ts.update_check({}) is True  # Tailscale's default
    assert ts.plan_update_check(off, False) is None
    assert ts.plan_update_check(off, True) == ['set', '--update-check=true']
    assert ts.plan_update_check(on, False) == ['set', '--update-check=false']
    assert ts.plan_update_check(None, False) == ['set', '--update-check=false']
