# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Plain helpers for driving the Tailscale CLI from Ansible modules.

Nothing here imports AnsibleModule: a small client wraps a ``run_command``
callable, and the functions take the CLI's JSON output (already decoded) and
return plain Python data, so they are unit-tested directly on recorded outputs.
The JSON shapes follow Tailscale's own types: ``tailscale status --json`` is
``ipnstate.Status``, ``tailscale serve status --json`` is ``ipn.ServeConfig``
and ``tailscale debug prefs`` is ``ipn.Prefs``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import hashlib
import json
import os
import time

# Backend states (ipn.State) while tailscaled is still settling after a start.
SETTLING_STATES = ('NoState', 'Starting')
# States in which "tailscale up" can only succeed with an auth key.
LOGIN_STATES = ('NeedsLogin', 'NeedsMachineAuth', 'NoState')
# States in which there is no session to log out of.
LOGGED_OUT_STATES = ('NeedsLogin', 'NoState', '')

LOGIN_HELP = ('set tailscale_authkey (a pre-auth key from Tailscale\'s admin console or '
              '"headscale preauthkeys create")')


class TailscaleError(Exception):
    """A tailscale command failed or printed something that made no sense."""

    def __init__(self, message, rc=None):
        super(TailscaleError, self).__init__(message)
        self.message = message
        self.rc = rc


# ---------------------------------------------------------------- the CLI

class TailscaleCLI(object):
    """Runs ``tailscale`` through ``run_command(argv) -> (rc, stdout, stderr)``."""

    def __init__(self, executable, run_command):
        self.executable = executable
        self._run_command = run_command

    def run(self, *args):
        """Run ``tailscale ARGS``; return its stdout, or raise with the CLI's own error text."""
        argv = [self.executable] + list(args)
        rc, out, err = self._run_command(argv)
        if rc != 0:
            text = (err or '').strip() or (out or '').strip() or 'no output'
            raise TailscaleError('"tailscale %s" failed (rc=%s): %s' % (args[0] if args else '', rc, text), rc=rc)
        return out

    def run_json(self, *args):
        """Run ``tailscale ARGS`` and decode its JSON output (empty output is ``{}``)."""
        return load_json(self.run(*args), 'tailscale ' + ' '.join(args))

    def status(self):
        return parse_status(self.run_json('status', '--json'))

    def wait_settled(self, retries=15, delay=2.0, sleep=None):
        """Read the status until the backend has left NoState/Starting (tailscaled just started).

        Returns the parsed status of the last read. A CLI error (tailscaled not
        answering yet) is retried too, then raised.
        """
        sleep = sleep or time.sleep
        status = None
        for attempt in range(retries + 1):
            try:
                status = self.status()
            except TailscaleError:
                if attempt == retries:
                    raise
            else:
                if status['backend_state'] not in SETTLING_STATES:
                    return status
            if attempt < retries:
                sleep(delay)
        return status


def find_executable(executable, path_lookup, is_exe=None):
    """The path of ``executable`` (a path, or a name looked up with ``path_lookup``); None when missing."""
    if is_exe is None:
        def is_exe(path):
            return os.path.isfile(path) and os.access(path, os.X_OK)
    if os.sep in executable:
        return executable if is_exe(executable) else None
    return path_lookup(executable) or None


def argument_spec(**options):
    """A module's argument spec: its own options and the one every tailscale module has
    (documented in the teamhub.jupyter.tailscale doc fragment)."""
    options['executable'] = dict(type='path', default='tailscale')
    return options


def make_cli(module):
    """A client over ``module.run_command`` (C locale), or None when tailscale is not installed."""
    exe = find_executable(module.params['executable'], module.get_bin_path)
    if exe is None:
        return None
    return TailscaleCLI(exe, lambda argv: module.run_command(argv, check_rc=False, environ_update={'LC_ALL': 'C'}))


def run_plan(module, cli, argv, result, before, after):
    """The end every setting module shares: mark the change, add the diff, run argv unless
    in check mode (failing with the CLI's own message), exit. argv None: nothing to do."""
    result['changed'] = argv is not None
    if argv is not None and module._diff:
        result['diff'] = {'before': before, 'after': after}
    if argv is not None and not module.check_mode:
        try:
            cli.run(*argv)
        except TailscaleError as exc:
            module.fail_json(msg=exc.message)
    module.exit_json(**result)


def load_json(text, what='tailscale'):
    text = (text or '').strip()
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        raise TailscaleError('%s did not print JSON: %s' % (what, text[:500]))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise TailscaleError('%s printed JSON that is not an object: %s' % (what, text[:500]))
    return data


# ---------------------------------------------------------------- status

def parse_status(status):
    """The parts of ``ipnstate.Status`` the role needs.

    ``backend_state``, ``online`` (of this node), ``hostname``, ``ipv4`` and ``ipv6``
    (the first tailnet address of each family, '' when none) and ``dns_name``
    (MagicDNS name without the trailing dot).
    """
    status = status or {}
    node = status.get('Self') or {}
    ips = node.get('TailscaleIPs') or status.get('TailscaleIPs') or []
    return {
        'backend_state': status.get('BackendState') or '',
        'online': bool(node.get('Online')),
        'hostname': node.get('HostName') or '',
        'ipv4': next((ip for ip in ips if ':' not in ip), ''),
        'ipv6': next((ip for ip in ips if ':' in ip), ''),
        'dns_name': (node.get('DNSName') or '').rstrip('.'),
        'version': status.get('Version') or '',
    }


def addresses(status):
    """``ipv4``, ``ipv6`` and ``dns_name`` of a parsed status (all '' for none)."""
    status = status or {}
    return dict((key, status.get(key, '')) for key in ('ipv4', 'ipv6', 'dns_name'))


# ---------------------------------------------------------------- tailscale up

def settings_hash(up_args):
    """SHA-256 of the ``up`` arguments, one a line: the role's settings hash since its first release."""
    return hashlib.sha256('\n'.join(up_args).encode('utf-8')).hexdigest()


def read_hash_file(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return ''


def write_hash_file(path, digest):
    """Write the hash, root-only, replacing the file atomically."""
    tmp = '%s.%d.tmp' % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, 'w') as handle:
            handle.write(digest + '\n')
        os.chmod(tmp, 0o600)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def up_reasons(status, stored_hash, wanted_hash):
    """Why ``tailscale up`` has to run (an empty list: it does not)."""
    reasons = []
    state = status.get('backend_state', '')
    if state != 'Running':
        reasons.append('the node is %s, not Running' % (state or 'not answering'))
    elif not status.get('online'):
        reasons.append('the node is not online')
    if stored_hash != wanted_hash:
        reasons.append('the up settings changed' if stored_hash else 'no record of the up settings')
    return reasons


def needs_login(status):
    return status.get('backend_state', '') in LOGIN_STATES


def login_error(status):
    return ('The node is not logged in to the tailnet (state %s): %s.'
            % (status.get('backend_state') or 'unknown', LOGIN_HELP))


def up_argv(up_args, timeout=None, authkey_file=None):
    """The ``up`` arguments: the managed ones, the timeout, and the key as a file reference only."""
    argv = ['up'] + list(up_args)
    if timeout:
        argv.append('--timeout=%s' % timeout)
    if authkey_file:
        argv.append('--auth-key=file:%s' % authkey_file)
    return argv


def write_secret_file(path, content):
    """Write ``content`` to a new root-only (0600) file; an old one is replaced first."""
    if os.path.lexists(path):
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w') as handle:
        handle.write(content)


def remove_file(path):
    try:
        os.unlink(path)
    except OSError:
        if os.path.lexists(path):
            raise


def needs_logout(status):
    return status.get('backend_state', '') not in LOGGED_OUT_STATES


# ---------------------------------------------------------------- tailscale serve

def local_target(port):
    return 'http://127.0.0.1:%d' % int(port)


def served_targets(serve_config, listen_port):
    """The proxy targets of path ``/`` on ``listen_port`` (ipn.ServeConfig ``Web``), without a trailing slash."""
    suffix = ':%d' % int(listen_port)
    targets = []
    for host_port, web in sorted(((serve_config or {}).get('Web') or {}).items()):
        if not host_port.endswith(suffix):
            continue
        handler = ((web or {}).get('Handlers') or {}).get('/') or {}
        if handler.get('Proxy'):
            targets.append(handler['Proxy'].rstrip('/'))
    return targets


def listening(serve_config, listen_port):
    """Whether ``serve`` listens on ``listen_port`` (ipn.ServeConfig ``TCP``)."""
    return str(int(listen_port)) in [str(key) for key in ((serve_config or {}).get('TCP') or {})]


def plan_serve(serve_config, port, protocol, listen_port):
    """What ``tailscale serve`` has to do for the wanted ``port`` (0: publish nothing).

    Returns ``(argv or None, before, after)``: the CLI arguments to run, and what
    listen_port serves before and after (the proxied target, or '' for nothing).
    """
    targets = served_targets(serve_config, listen_port)
    before = targets[0] if targets else ('(not a proxy)' if listening(serve_config, listen_port) else '')
    flag = '--%s=%d' % (protocol, int(listen_port))
    if int(port) > 0:
        wanted = local_target(port)
        if wanted in targets:
            return None, wanted, wanted
        return ['serve', '--bg', '--yes', flag, wanted], before, wanted
    if listening(serve_config, listen_port):
        return ['serve', flag, 'off'], before, ''
    return None, before, ''


# ---------------------------------------------------------------- preferences

def update_check(prefs):
    """``AutoUpdate.Check`` of ``tailscale debug prefs`` (Tailscale's default: on)."""
    value = ((prefs or {}).get('AutoUpdate') or {}).get('Check')
    return True if value is None else bool(value)


def plan_update_check(prefs, wanted):
    """The ``set`` arguments to run (None: nothing to do) for update check ``wanted``.

    ``prefs`` None means they could not be read: set it to be sure.
    """
    if prefs is not None and update_check(prefs) == bool(wanted):
        return None
    return ['set', '--update-check=%s' % ('true' if wanted else 'false')]
