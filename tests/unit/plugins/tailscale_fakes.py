# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fake tailscale CLI answering with recorded outputs, for the module tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json
import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'tailscale')


def fixture(name):
    """A recorded output (text), from fixtures/tailscale/."""
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def fixture_json(name):
    return json.loads(fixture(name))


class FakeTailscale(object):
    """Answers ``tailscale`` commands from recorded outputs and records what ran.

    ``status``, ``serve`` and ``prefs`` are the texts printed by ``status --json``,
    ``serve status --json`` and ``debug prefs``. ``up``, ``logout``, ``serve`` and
    ``set`` change them the way tailscaled does, as far as the modules look.
    ``fail`` maps a subcommand to (rc, stderr) to fail it.
    """

    exe = '/usr/bin/tailscale'

    def __init__(self, status='status-running-online.json', serve='serve-empty.json',
                 prefs='prefs-update-check-off.json'):
        self.status = fixture(status)
        self.serve = fixture(serve)
        self.prefs = fixture(prefs)
        self.after_up = fixture('status-running-online.json')
        self.calls = []
        self.fail = {}
        self.authkeys = []

    def run_command(self, args, **_kwargs):
        args = list(args)
        assert args[0] == self.exe, args
        self.calls.append(args[1:])
        sub = args[1]
        if sub in self.fail:
            rc, err = self.fail[sub]
            return rc, '', err
        if args[1:] == ['status', '--json']:
            return 0, self.status, ''
        if args[1:] == ['serve', 'status', '--json']:
            return 0, self.serve, ''
        if args[1:] == ['debug', 'prefs']:
            return 0, self.prefs, ''
        if sub == 'up':
            for arg in args:
                if arg.startswith('--auth-key=file:'):
                    path = arg[len('--auth-key=file:'):]
                    self.authkeys.append((path, oct(os.stat(path).st_mode & 0o777), open(path).read()))
            self.status = self.after_up
            return 0, '', ''
        if sub == 'logout':
            self.status = fixture('status-needslogin.json')
            return 0, '', ''
        if sub == 'set':
            prefs = json.loads(self.prefs)
            prefs.setdefault('AutoUpdate', {})['Check'] = args[2] == '--update-check=true'
            self.prefs = json.dumps(prefs)
            return 0, '', ''
        if sub == 'serve':
            return 0, '', ''
        raise AssertionError('unexpected tailscale command: %r' % args)

    def commands(self, sub):
        return [call for call in self.calls if call[0] == sub]
