#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: tailscale_prefs
short_description: Set a Tailscale node's preferences that C(tailscale up) does not manage
version_added: 0.1.0
description:
  - Reads C(tailscale debug prefs) and runs C(tailscale set --update-check=BOOL) when the
    update check differs from O(update_check).
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    support: full
    description:
      - Reports what would change and runs nothing.
      - When the preferences cannot be read (tailscale not installed or tailscaled not running yet), reports a change.
  diff_mode:
    support: full
    description: Shows the update check before and after.
options:
  update_check:
    description:
      - Whether the client looks for Tailscale updates.
    type: bool
    required: true
  executable:
    description:
      - The C(tailscale) command; looked for on E(PATH) by default.
    type: path
    default: tailscale
seealso:
  - module: teamhub.jupyter.tailscale_up
'''

EXAMPLES = r'''
- name: Turn Tailscale's update check off
  teamhub.jupyter.tailscale_prefs:
    update_check: false
'''

RETURN = r'''
update_check:
  description: The update check after the module ran.
  returned: always
  type: bool
  sample: false
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.teamhub.jupyter.plugins.module_utils import tailscale as ts


def main():
    module = AnsibleModule(
        argument_spec=dict(
            update_check=dict(type='bool', required=True),
            executable=dict(type='path', default='tailscale'),
        ),
        supports_check_mode=True,
    )
    wanted = module.params['update_check']
    cli = ts.make_cli(module)
    if cli is None and not module.check_mode:
        module.fail_json(msg='tailscale not found (executable %s): install Tailscale first'
                         % module.params['executable'])
    prefs = None
    if cli is not None:
        try:
            prefs = cli.run_json('debug', 'prefs')
        except ts.TailscaleError as exc:
            # Not readable: set it anyway (that command's error is the one to report).
            module.warn('cannot read the preferences: %s' % exc.message)
    argv = ts.plan_update_check(prefs, wanted)
    result = dict(changed=argv is not None, update_check=wanted)
    if argv is not None and module._diff:
        before = ts.update_check(prefs) if prefs is not None else None
        result['diff'] = {'before': {'update_check': before}, 'after': {'update_check': wanted}}
    if argv is not None and not module.check_mode:
        try:
            cli.run(*argv)
        except ts.TailscaleError as exc:
            module.fail_json(msg=exc.message)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
