#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: tailscale_serve
short_description: Publish a local port inside the tailnet with C(tailscale serve)
version_added: 0.1.0
description:
  - Reads C(tailscale serve status --json) and, when path C(/) of O(listen_port) does not proxy to
    C(http://127.0.0.1:PORT) yet, runs C(tailscale serve --bg --yes --PROTOCOL=LISTEN_PORT http://127.0.0.1:PORT).
  - With O(port=0), stops whatever C(serve) publishes on O(listen_port) (C(tailscale serve --PROTOCOL=LISTEN_PORT off)).
  - Other listen ports are left alone.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details:
      - When C(tailscale) is not installed yet (an earlier task would install it), reports a change
        if a port is to be published.
  diff_mode:
    details: Shows what O(listen_port) proxies to before and after ('' for nothing).
options:
  port:
    description:
      - The local port (on 127.0.0.1) to publish; V(0) publishes nothing on O(listen_port).
    type: int
    required: true
  protocol:
    description:
      - V(http) works with every control server; V(https) needs certificates from the control plane.
    type: str
    choices: [http, https]
    default: http
  listen_port:
    description:
      - The port inside the tailnet. Defaults to V(443) for V(https) and V(80) for V(http).
    type: int
seealso:
  - module: teamhub.jupyter.tailscale_up
  - module: teamhub.jupyter.tailscale_prefs
extends_documentation_fragment:
  - teamhub.jupyter.attributes
  - teamhub.jupyter.tailscale
'''

EXAMPLES = r'''
- name: Publish the hub (listening on 127.0.0.1:8000) on port 80 of the node's tailnet name
  teamhub.jupyter.tailscale_serve:
    port: 8000

- name: Stop publishing anything on port 80
  teamhub.jupyter.tailscale_serve:
    port: 0
'''

RETURN = r'''
target:
  description: What O(listen_port) proxies to after the module ran ('' for nothing).
  returned: always
  type: str
  sample: http://127.0.0.1:8000
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.teamhub.jupyter.plugins.module_utils import tailscale as ts


def main():
    module = AnsibleModule(
        argument_spec=ts.argument_spec(
            port=dict(type='int', required=True),
            protocol=dict(type='str', choices=['http', 'https'], default='http'),
            listen_port=dict(type='int'),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not 0 <= p['port'] < 65536:
        module.fail_json(msg='port must be 0-65535 (is %d)' % p['port'])
    listen_port = p['listen_port'] if p['listen_port'] is not None else (443 if p['protocol'] == 'https' else 80)
    if not 0 < listen_port < 65536:
        module.fail_json(msg='listen_port must be 1-65535 (is %d)' % listen_port)
    cli = ts.make_cli(module)
    if cli is None:
        if module.check_mode or p['port'] == 0:
            wanted = ts.local_target(p['port']) if p['port'] else ''
            module.exit_json(changed=bool(p['port']), target=wanted)
        module.fail_json(msg='tailscale not found (executable %s): install Tailscale first' % p['executable'])
    try:
        config = cli.run_json('serve', 'status', '--json')
    except ts.TailscaleError as exc:
        module.fail_json(msg=exc.message)
    argv, before, after = ts.plan_serve(config, p['port'], p['protocol'], listen_port)
    key = '%s:%d' % (p['protocol'], listen_port)
    ts.run_plan(module, cli, argv, dict(target=after), {key: before}, {key: after})


if __name__ == '__main__':
    main()
