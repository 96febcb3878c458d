#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: tailscale_up
short_description: Bring a node into its tailnet with C(tailscale up), or log it out
version_added: 0.1.0
description:
  - With O(state=present), runs C(tailscale up) only when the node is not Running, not online,
    or the O(up_args) changed since the last C(up). A SHA-256 of O(up_args) (one a line) is kept in
    O(hash_file), so re-runs need no auth key.
  - Waits for tailscaled to leave the C(NoState) and C(Starting) states first (right after a start).
  - The auth key never appears on a command line nor in the output; it is written to a root-only
    (0600) file, handed to C(tailscale up) as C(--auth-key=file:PATH), and removed right after,
    whatever happened.
  - With O(state=absent), runs C(tailscale logout) when the node is logged in.
  - Returns the node's tailnet addresses and MagicDNS name.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details:
      - Reads the node's status and reports whether C(up) or C(logout) would run; runs nothing, writes nothing.
      - When C(tailscale) is not installed yet (an earlier task would install it), reports a change.
  diff_mode:
    details: Shows the backend state, online state and settings hash before and after.
options:
  state:
    description:
      - V(present) brings the node up, V(absent) logs it out.
    type: str
    choices: [present, absent]
    default: present
  up_args:
    description:
      - The C(tailscale up) arguments to manage (never the auth key), for instance
        C(--reset), C(--login-server=URL), C(--hostname=NAME).
    type: list
    elements: str
    default: []
  timeout:
    description:
      - Value of C(tailscale up --timeout), for instance V(120s). Not part of the settings hash.
    type: str
  authkey:
    description:
      - Pre-auth key, used only when C(up) has to run. Needed while the node is not logged in.
    type: str
  authkey_file:
    description:
      - Where the auth key waits for C(tailscale up) (root-only; put it on a tmpfs such as C(/run)).
    type: path
    default: /run/teamhub-tailscale-authkey
  hash_file:
    description:
      - Where the hash of the O(up_args) of the last C(up) is kept.
    type: path
    default: /var/lib/tailscale/teamhub-up.sha256
  wait_retries:
    description:
      - How often to read the status again while tailscaled is still starting.
    type: int
    default: 15
  wait_delay:
    description:
      - Seconds between those reads.
    type: float
    default: 2
extends_documentation_fragment:
  - teamhub.jupyter.attributes
  - teamhub.jupyter.tailscale
seealso:
  - module: teamhub.jupyter.tailscale_serve
  - module: teamhub.jupyter.tailscale_prefs
'''

EXAMPLES = r'''
- name: Join the team's Headscale tailnet
  teamhub.jupyter.tailscale_up:
    up_args: [--reset, --login-server=https://headscale.example.org, --hostname=hub]
    timeout: 120s
    authkey: "{{ vault_tailscale_authkey }}"
  register: node

- name: Show the hub's tailnet address
  ansible.builtin.debug:
    msg: "{{ node.ipv4 }} {{ node.dns_name }}"

- name: Log the node out
  teamhub.jupyter.tailscale_up:
    state: absent
'''

RETURN = r'''
backend_state:
  description: The node's backend state after the module ran (C(Running), C(NeedsLogin), ...); '' when unknown.
  returned: always
  type: str
  sample: Running
online:
  description: Whether the control server sees the node online.
  returned: always
  type: bool
  sample: true
ipv4:
  description: The node's tailnet IPv4 address; '' when it has none.
  returned: always
  type: str
  sample: 100.64.0.1
ipv6:
  description: The node's tailnet IPv6 address; '' when it has none.
  returned: always
  type: str
  sample: fd7a:115c:a1e0::1
dns_name:
  description: The node's MagicDNS name, without the trailing dot; '' when it has none.
  returned: always
  type: str
  sample: hub.tailnet.example.org
reasons:
  description: Why C(up) ran (or would run in check mode); empty when it did not.
  returned: always
  type: list
  elements: str
  sample: [the up settings changed]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.teamhub.jupyter.plugins.module_utils import tailscale as ts


def _state(status, digest):
    return {'backend_state': status.get('backend_state', ''), 'online': status.get('online', False),
            'settings_hash': digest}


def _result(module, changed, status, reasons=None, before=None, after=None):
    result = dict(changed=changed, backend_state=status.get('backend_state', ''),
                  online=status.get('online', False), reasons=reasons or [], **ts.addresses(status))
    if module._diff and before is not None:
        result['diff'] = {'before': before, 'after': after}
    module.exit_json(**result)


def present(module, cli):
    p = module.params
    if cli is None:
        if module.check_mode:
            module.warn('tailscale is not installed yet: "tailscale up" would run once it is')
            _result(module, True, {}, ['tailscale is not installed yet'])
        module.fail_json(msg='tailscale not found (executable %s): install Tailscale first' % p['executable'])
    try:
        status = cli.wait_settled(retries=p['wait_retries'], delay=p['wait_delay'])
    except ts.TailscaleError as exc:
        if not module.check_mode:
            module.fail_json(msg=exc.message)
        # tailscaled is not running yet in check mode: an earlier task would start it.
        module.warn('tailscaled does not answer yet (%s): "tailscale up" would run' % exc.message)
        status = {}
    wanted = ts.settings_hash(p['up_args'])
    stored = ts.read_hash_file(p['hash_file'])
    reasons = ts.up_reasons(status, stored, wanted)
    if not reasons:
        _result(module, False, status)
    if ts.needs_login(status) and not p['authkey']:
        module.fail_json(msg=ts.login_error(status), backend_state=status.get('backend_state', ''))
    before = _state(status, stored)
    after = {'backend_state': 'Running', 'online': True, 'settings_hash': wanted}
    if module.check_mode:
        _result(module, True, status, reasons, before, after)

    keyfile = p['authkey_file'] if p['authkey'] else None
    try:
        if keyfile:
            ts.write_secret_file(keyfile, p['authkey'])
        cli.run(*ts.up_argv(p['up_args'], p['timeout'], keyfile))
    except ts.TailscaleError as exc:
        module.fail_json(msg=exc.message, reasons=reasons)
    except (IOError, OSError) as exc:
        module.fail_json(msg='cannot write the auth key file %s: %s' % (keyfile, exc))
    finally:
        if keyfile:
            ts.remove_file(keyfile)
    try:
        ts.write_hash_file(p['hash_file'], wanted)
    except (IOError, OSError) as exc:
        module.fail_json(msg='"tailscale up" ran, but the settings hash could not be written to %s: %s'
                         % (p['hash_file'], exc), changed=True)
    try:
        status = cli.status()
    except ts.TailscaleError as exc:
        module.fail_json(msg='"tailscale up" ran, but the status could not be read: %s' % exc.message, changed=True)
    _result(module, True, status, reasons, before, _state(status, wanted))


def absent(module, cli):
    if cli is None:
        _result(module, False, {})
    try:
        status = cli.status()
    except ts.TailscaleError:
        # tailscaled is not running: there is no session to end.
        _result(module, False, {})
    if not ts.needs_logout(status):
        _result(module, False, status)
    before = {'backend_state': status['backend_state']}
    after = {'backend_state': 'NeedsLogin'}
    if module.check_mode:
        _result(module, True, status, ['the node is logged in'], before, after)
    try:
        cli.run('logout')
        status = cli.status()
    except ts.TailscaleError as exc:
        module.fail_json(msg=exc.message)
    _result(module, True, status, ['the node is logged in'], before, {'backend_state': status['backend_state']})


def main():
    module = AnsibleModule(
        argument_spec=ts.argument_spec(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            up_args=dict(type='list', elements='str', default=[]),
            timeout=dict(type='str'),
            authkey=dict(type='str', no_log=True),
            authkey_file=dict(type='path', default='/run/teamhub-tailscale-authkey'),
            hash_file=dict(type='path', default='/var/lib/tailscale/teamhub-up.sha256'),
            wait_retries=dict(type='int', default=15),
            wait_delay=dict(type='float', default=2),
        ),
        supports_check_mode=True,
    )
    cli = ts.make_cli(module)
    if module.params['state'] == 'present':
        present(module, cli)
    else:
        absent(module, cli)


if __name__ == '__main__':
    main()
