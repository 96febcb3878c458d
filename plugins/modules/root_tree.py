#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: root_tree
short_description: Keep a directory tree that root runs code from writable by root alone
version_added: 0.2.0
description:
  - Makes every entry under O(path), O(path) included, owned by C(root:root) and not writable by group
    or others. For trees root runs code from (the shared conda prefix, the proxy's npm prefix). An
    account that could write into them would be root the next time root runs that code.
  - One walk of the tree reads and corrects it; a tree that is already right is only read.
  - Nothing is ever followed. A symlink's own owner is corrected, never its target's; the walk never
    enters a linked directory; O(path) itself must not be a symlink.
  - A directory is corrected before its entries are read, so nobody else can swap an entry for a link
    while the walk is in it. Changing the owner clears set-user-ID and set-group-ID bits (the kernel
    does); the module never sets them again.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details:
      - Reports what it would correct (count and the first entries) and changes nothing.
      - A O(path) that does not exist yet (a task before would have made it) has nothing to correct.
  diff_mode:
    details: Lists the first entries corrected with what was wrong with them (owner, mode).
options:
  path:
    description:
      - The top of the tree, an absolute path to a directory (not a symlink).
    type: path
    required: true
notes:
  - Only root can give files to root; run the task with C(become) when connecting as another user.
extends_documentation_fragment:
  - teamhub.jupyter.attributes
'''

EXAMPLES = r'''
- name: Give every entry in the conda prefix back to root, writable by root only
  teamhub.jupyter.root_tree:
    path: /opt/conda
'''

RETURN = r'''
path:
  description: The top of the tree.
  returned: always
  type: str
  sample: /opt/conda
count:
  description: How many entries were (in check mode, would be) corrected.
  returned: always
  type: int
  sample: 2
entries:
  description: The first 20 of them, top-down, with what was wrong.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The entry.
      type: str
      sample: /opt/conda/etc/profile.d/conda.sh
    problem:
      description: Its owner (C(owned by UID:GID)) and/or its mode when group or others could write it.
      type: str
      sample: owned by 1001:1001, mode 0666
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.teamhub.jupyter.plugins.module_utils import root_tree


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type='path', required=True)),
        supports_check_mode=True,
    )
    path = module.params['path']
    if module.check_mode and not os.path.lexists(path):
        module.exit_json(changed=False, path=path, count=0, entries=[])
    try:
        found = root_tree.walk(path, fix=not module.check_mode)
    except root_tree.RootTreeError as exc:
        module.fail_json(msg=str(exc), path=path)
    except OSError as exc:
        module.fail_json(msg='could not give %s back to root: %s' % (path, exc), path=path)
    result = dict(changed=found['count'] > 0, path=path, count=found['count'], entries=found['entries'])
    if result['changed'] and module._diff:
        result['diff'] = {'before_header': path, 'after_header': path,
                          'before': root_tree.describe(found), 'after': ''}
    module.exit_json(**result)


if __name__ == '__main__':
    main()
