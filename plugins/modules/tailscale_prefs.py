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
    details:
      - When the preferences cannot be read (tailscale not installed or tailscaled not running yet), reports a change.
  diff_mode:
    details: Shows the update check before and after.
options:
  update_check:
    description:
      - Whether the client looks for Tailscale updates.
    type: bool
    required: true
extends_documentation_fragment:
  - teamhub.jupyter.attributes
  - teamhub.jupyter.tailscale
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
        argument_spec=ts.argument_spec(
            update_check=dict(type='bool', required=True),
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
    before = ts.update_check(prefs) if prefs is not None else None
    ts.run_plan(module, cli, argv, dict(update_check=wanted), {'update_check': before}, {'update_check': wanted})


if __name__ == '__main__':
    main()
