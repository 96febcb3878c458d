#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: team_accounts
short_description: Create and update the team members' system accounts, all in one call
version_added: 0.2.0
description:
  - Reads the account database once and brings every member of O(members) where it should be, running
    C(useradd), C(usermod) or C(chpasswd) only for what differs. One call for the whole team instead of
    a loop item per member.
  - A new member gets a home (private, C(UMASK=0077)), the shell O(shell), the groups listed and, when
    given, the UID chosen for them. An existing member gets the shell and exactly the groups listed
    (others are removed), except the member named by O(append_for), who keeps the groups they have.
  - A password hash reaches C(chpasswd --encrypted) on its standard input, never on a command line, and
    is never part of a result, a diff or a message. Without a hash the password is left as it is.
  - A member whose groups do not exist, or whose command fails, is reported with the reason after every
    other member is done, and the task fails naming them.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details: Reports which accounts it would create or change, and how, running nothing.
  diff_mode:
    details: The shell and groups of each changed account before and after; a password only as C(changed).
options:
  members:
    description:
      - The members, each with C(name), optional C(groups) (their own extra groups) and C(admin)
        (true adds O(admin_groups)). Other keys of the entries (C(ssh_keys), C(state)) are ignored, so the
        team list can be passed as it is; leave the password hashes out of it (O(password_hashes)).
    type: list
    elements: dict
    required: true
  groups:
    description: Supplementary groups of every member (the team group). Every group must exist.
    type: list
    elements: str
    default: []
  admin_groups:
    description: Further groups of the members with C(admin) true.
    type: list
    elements: str
    default: []
  uids:
    description: UIDs for new accounts, by name; an existing account keeps its UID.
    type: dict
    default: {}
  password_hashes:
    description:
      - crypt(3) hashes of the members' passwords, by name. A member without one keeps their password as it is.
      - Kept apart from O(members) so that Ansible hides them (no_log) without hiding the rest.
    type: dict
    default: {}
  shell:
    description: Every member's login shell.
    type: path
    default: /bin/bash
  append_for:
    description:
      - A member who keeps the groups they have besides those listed, typically the account Ansible
        logs in with (its C(sudo) membership keeps the next run possible).
    type: str
    default: ''
requirements:
  - C(useradd), C(usermod) and C(chpasswd) (Debian's C(passwd) package).
extends_documentation_fragment:
  - teamhub.jupyter.attributes
'''

EXAMPLES = r'''
- name: Create and update the members' accounts
  teamhub.jupyter.team_accounts:
    members:
      - name: alice
        admin: true
      - name: bob
        groups: [analysts]
    groups: [team]
    admin_groups: [teamhub-admins]
    uids: {bob: 1042}
    password_hashes: {alice: "{{ alice_hash }}"}
    append_for: "{{ ansible_user }}"
'''

RETURN = r'''
created:
  description: Members whose account was (in check mode, would be) created.
  returned: always
  type: list
  elements: str
  sample: [bob]
updated:
  description: Members whose shell, groups or password was (would be) changed.
  returned: always
  type: list
  elements: str
  sample: [alice]
changes:
  description: What changed for each of them (a password only as C(changed) or C(set)).
  returned: always
  type: dict
  sample: {alice: {groups: {before: [team], after: [analysts, team]}}}
errors:
  description: Members that could not be done, with why; the task fails when there is one.
  returned: always
  type: dict
  sample: {carol: "groups geo of carol do not exist; create them first"}
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.teamhub.jupyter.plugins.module_utils import team_accounts as ta


def main():
    module = AnsibleModule(
        argument_spec=dict(
            members=dict(type='list', elements='dict', required=True),
            groups=dict(type='list', elements='str', default=[]),
            admin_groups=dict(type='list', elements='str', default=[]),
            uids=dict(type='dict', default={}),
            password_hashes=dict(type='dict', default={}, no_log=True),
            shell=dict(type='path', default='/bin/bash'),
            append_for=dict(type='str', default=''),
        ),
        supports_check_mode=True,
    )

    def run(argv, stdin):
        return module.run_command(argv, data=stdin, binary_data=True)

    params = module.params
    try:
        accounts = ta.team_members(params['members'], params['groups'], params['admin_groups'],
                                   params['uids'], params['password_hashes'])
        result = ta.apply(accounts, params['shell'], params['append_for'], run=run, check_mode=module.check_mode)
    except ta.TeamAccountsError as exc:
        module.fail_json(msg=str(exc))
    except (IOError, OSError) as exc:
        module.fail_json(msg='could not read the account database: %s' % exc)
    changed = bool(result['created'] or result['updated'])
    if changed and module._diff:
        before, after = ta.describe(result['changes'])
        result['diff'] = {'before_header': 'accounts', 'after_header': 'accounts', 'before': before, 'after': after}
    if result['errors']:
        module.fail_json(msg='Could not bring the accounts of %s where they should be (the other members are done): %s'
                         % (', '.join(sorted(result['errors'])),
                            '; '.join('%s: %s' % item for item in sorted(result['errors'].items()))),
                         changed=changed, **result)
    module.exit_json(changed=changed, **result)


if __name__ == '__main__':
    main()
