#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: member_files
short_description: Keep every team member's home private, their SSH keys in root's files and the shared directory linked, in one call
version_added: 0.2.0
description:
  - For every member of O(members), in one module call instead of a loop item per member and step.
  - Writes the member's authorized keys to C(O(keys_dir)/NAME), owned by root, mode 0644, replaced
    whole (a key no longer listed is revoked). sshd reads them there; the member cannot change them.
  - Gives the member's home (from the account database) to the member with mode O(home_mode).
  - Links O(shared_dir) into the home as O(shared_link), owned by the member. A file or directory of
    the member's own in that place is left alone and reported in RV(links_skipped); the other members
    are still done.
  - Root never follows a path inside a home. The home is opened without following a link (a home
    that is a link is an error for that member) and the link is made and owned relative to it.
  - Members whose account does not exist, or whose home is a link or missing, are reported together
    after every other member is done, and the task fails naming them.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details:
      - Reports what it would change. A member whose account does not exist yet (a task before would
        create it) only gets the keys file planned.
  diff_mode:
    details: Each keys file before and after, and each home's owner and mode.
options:
  members:
    description:
      - The members, each with C(name) and C(ssh_keys) (a list of public key lines). Other keys of
        the entries are ignored, so the team list can be passed as it is.
    type: list
    elements: dict
    required: true
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
extends_documentation_fragment:
  - teamhub.jupyter.attributes
'''

EXAMPLES = r'''
- name: Keep the members' homes, keys and shared links
  teamhub.jupyter.member_files:
    members:
      - name: alice
        ssh_keys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOn3 alice@laptop"]
      - name: bob
    keys_dir: /etc/ssh/authorized_keys
    home_mode: '0700'
    shared_dir: /srv/team
    shared_link: shared
'''

RETURN = r'''
keys:
  description: Members whose keys file was (in check mode, would be) written.
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
  sample: {carol: "home /home/carol is a symlink; root never follows it (move it away and run again)"}
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.teamhub.jupyter.plugins.module_utils import member_files as mf


def main():
    module = AnsibleModule(
        argument_spec=dict(
            members=dict(type='list', elements='dict', required=True),
            keys_dir=dict(type='path', required=True),
            home_mode=dict(type='str', default='0700'),
            shared_dir=dict(type='path', default=''),
            shared_link=dict(type='str', default=''),
            header=dict(type='str', default=mf.DEFAULT_HEADER),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        home_mode = int(params['home_mode'], 8)
    except ValueError:
        module.fail_json(msg='home_mode must be an octal mode like 0700, got %r' % params['home_mode'])
    if params['shared_link'] and ('/' in params['shared_link'] or params['shared_link'] in ('.', '..')):
        module.fail_json(msg='shared_link must be a name in the home, not a path: %r' % params['shared_link'])
    if params['shared_link'] and not params['shared_dir']:
        module.fail_json(msg='shared_link needs shared_dir, the directory it points to')
    if '\n' in params['header'] or not params['header'].startswith('#'):
        module.fail_json(msg='header must be one comment line starting with #')
    try:
        result = mf.apply(params['members'], params['keys_dir'], home_mode, params['shared_dir'],
                          params['shared_link'], params['header'], check_mode=module.check_mode)
    except mf.MemberFilesError as exc:
        module.fail_json(msg=str(exc))
    diffs = result.pop('diffs')
    changed = bool(result['keys'] or result['homes'] or result['links'])
    if changed and module._diff:
        result['diff'] = diffs
    if result['errors']:
        module.fail_json(msg='Could not keep the files of %s (the other members are done): %s'
                         % (', '.join(sorted(result['errors'])),
                            '; '.join('%s: %s' % item for item in sorted(result['errors'].items()))),
                         changed=changed, **result)
    module.exit_json(changed=changed, **result)


if __name__ == '__main__':
    main()
