#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: team_members
short_description: Keep every team member's account, home, SSH keys and shared link, all in one call
version_added: 0.1.0
description:
  - One call for the whole team instead of a loop item per member and step. First the accounts, then
    the files root keeps for each member.
  - B(Accounts.) Reads the account database once and runs C(useradd), C(usermod) or C(chpasswd) only for
    what differs. A new member gets a home (private, C(UMASK=0077)), the shell O(shell), the groups and,
    when given, the UID chosen for them. An existing member gets the shell and exactly the groups listed
    (others are removed), except the member named by O(append_for), who keeps the groups they have.
  - A password hash reaches C(chpasswd --encrypted) on its standard input, never on a command line, and
    is never part of a result, a diff or a message. Without a hash the password is left as it is.
  - B(Files.) Writes the member's authorized keys to C(O(keys_dir)/NAME), owned by root, mode 0644,
    replaced whole (a key no longer listed is revoked); gives the home to the member with mode
    O(home_mode); links O(shared_dir) into the home as O(shared_link), owned by the member. A file or
    directory of the member's own in that place is left alone and reported in RV(links_skipped).
  - Root never follows a path inside a home. The home is opened without following a link (a home that
    is a link is an error for that member) and the link is made and owned relative to it.
  - A member who cannot be done (groups that do not exist, a failed command, no account, a home that is
    a link) is reported with the reason after every other member is done, and the task fails naming them.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details:
      - Reports which accounts and files it would create or change, running nothing.
      - A member whose account or groups do not exist yet (tasks before would create them) only gets the
        account and the keys file planned.
  diff_mode:
    details:
      - The shell and groups of each changed account before and after, a password only as C(changed);
        each keys file before and after; each home's owner and mode.
options:
  members:
    description:
      - The members, each with C(name), optional C(groups) (their own extra groups), C(admin) (true adds
        O(admin_groups)) and C(ssh_keys) (public key lines). Other keys of the entries (C(state)) are
        ignored, so the team list can be passed as it is; leave the password hashes out of it
        (O(password_hashes)).
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
  gids:
    description:
      - GIDs of the own groups of new accounts, by name (the same on every host, from P(teamhub.jupyter.team_gids#filter)).
        The group is made with that GID before the account, which then makes none of its own; when the account cannot
        be made, the group is removed again. An existing account or group keeps its GID.
    type: dict
    default: {}
    version_added: 0.3.0
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
  keys_dir:
    description: Root's directory of the members' authorized keys files; it must exist.
    type: path
    required: true
  home_mode:
    description: Mode of every member's home, in octal.
    type: str
    default: '0700'
  shared_dir:
    description: The shared team directory the link points to.
    type: path
    default: ''
  shared_link:
    description: Name of the link in every home; empty for none.
    type: str
    default: ''
  header:
    description: The first line of every keys file (a comment).
    type: str
    default: '# Managed by Ansible (teamhub.jupyter.users) from users_accounts: edits here are replaced.'
requirements:
  - C(useradd), C(usermod) and C(chpasswd) (Debian's C(passwd) package).
extends_documentation_fragment:
  - teamhub.jupyter.attributes
'''

EXAMPLES = r'''
- name: Keep the members' accounts, homes, keys and shared links
  teamhub.jupyter.team_members:
    members:
      - name: alice
        admin: true
        ssh_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOn3 alice@laptop"]
      - name: bob
        groups: [analysts]
    groups: [team]
    admin_groups: [teamhub-admins]
    uids: {bob: 1042}
    password_hashes: {alice: "{{ alice_hash }}"}
    append_for: "{{ ansible_user }}"
    keys_dir: /etc/ssh/authorized_keys
    shared_dir: /srv/team
    shared_link: shared
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
  description: What changed in each of those accounts (a password only as C(changed) or C(set)).
  returned: always
  type: dict
  sample: {alice: {groups: {before: [team], after: [analysts, team]}}}
keys:
  description: Members whose keys file was (would be) written.
  returned: always
  type: list
  elements: str
  sample: [alice]
homes:
  description: Members whose home got its owner or mode back.
  returned: always
  type: list
  elements: str
  sample: []
links:
  description: Members whose shared link was made or corrected.
  returned: always
  type: list
  elements: str
  sample: [bob]
links_skipped:
  description: Members who have a file or directory of their own where the link belongs (left alone).
  returned: always
  type: list
  elements: str
  sample: []
errors:
  description: Members that could not be done, with why; the task fails when there is one.
  returned: always
  type: dict
  sample: {carol: "groups geo of carol do not exist; create them first"}
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.teamhub.jupyter.plugins.module_utils import member_files as mf
from ansible_collections.teamhub.jupyter.plugins.module_utils import team_accounts as ta


def check_file_options(params):
    """The message for a bad file option, or None."""
    try:
        int(params['home_mode'], 8)
    except ValueError:
        return 'home_mode must be an octal mode like 0700, got %r' % params['home_mode']
    if params['shared_link'] and ('/' in params['shared_link'] or params['shared_link'] in ('.', '..')):
        return 'shared_link must be a name in the home, not a path: %r' % params['shared_link']
    if params['shared_link'] and not params['shared_dir']:
        return 'shared_link needs shared_dir, the directory it points to'
    if '\n' in params['header'] or not params['header'].startswith('#'):
        return 'header must be one comment line starting with #'
    return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            members=dict(type='list', elements='dict', required=True),
            groups=dict(type='list', elements='str', default=[]),
            admin_groups=dict(type='list', elements='str', default=[]),
            uids=dict(type='dict', default={}),
            gids=dict(type='dict', default={}),
            password_hashes=dict(type='dict', default={}, no_log=True),
            shell=dict(type='path', default='/bin/bash'),
            append_for=dict(type='str', default=''),
            keys_dir=dict(type='path', required=True),
            home_mode=dict(type='str', default='0700'),
            shared_dir=dict(type='path', default=''),
            shared_link=dict(type='str', default=''),
            header=dict(type='str', default=mf.DEFAULT_HEADER),
        ),
        supports_check_mode=True,
    )
    params = module.params
    message = check_file_options(params)
    if message:
        module.fail_json(msg=message)

    def run(argv, stdin):
        return module.run_command(argv, data=stdin, binary_data=True)

    try:
        accounts = ta.team_members(params['members'], params['groups'], params['admin_groups'],
                                   params['uids'], params['password_hashes'], params['gids'])
        ta.check_members(accounts)
        mf.check_members(params['members'])
        result = ta.apply(accounts, params['shell'], params['append_for'], run=run, check_mode=module.check_mode)
        files = mf.apply(params['members'], params['keys_dir'], int(params['home_mode'], 8), params['shared_dir'],
                         params['shared_link'], params['header'], check_mode=module.check_mode)
    except (ta.TeamAccountsError, mf.MemberFilesError) as exc:
        module.fail_json(msg=str(exc))
    except (IOError, OSError) as exc:
        module.fail_json(msg='could not read the account database: %s' % exc)
    diffs = files.pop('diffs')
    errors = dict(files.pop('errors'))
    # A member whose account failed is named with that reason, not the files' consequence.
    errors.update(result.pop('errors'))
    result.update(files)
    changed = bool(result['created'] or result['updated'] or result['keys'] or result['homes'] or result['links'])
    if changed and module._diff:
        before, after = ta.describe(result['changes'])
        accounts_diff = [{'before_header': 'accounts', 'after_header': 'accounts', 'before': before, 'after': after}]
        result['diff'] = (accounts_diff if before or after else []) + diffs
    result['errors'] = errors
    if errors:
        module.fail_json(msg='Could not keep the accounts and files of %s (the other members are done): %s'
                         % (', '.join(sorted(errors)), '; '.join('%s: %s' % item for item in sorted(errors.items()))),
                         changed=changed, **result)
    module.exit_json(changed=changed, **result)


if __name__ == '__main__':
    main()
