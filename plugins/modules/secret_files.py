#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: secret_files
short_description: Generate secrets on the host once and keep them root's alone
version_added: 0.1.0
description:
  - For each file in O(files), generates a secret when the file is missing (random bytes in hex after
    an optional prefix, such as C(CONFIGPROXY_AUTH_TOKEN=) for an environment file), and keeps every
    file owned by C(root:root) with mode C(0600).
  - The secret is made on the host and written atomically (a new file in the same directory, C(0600)
    from the start, renamed over the path once whole). It never leaves the host and is never returned.
  - Every file is read before anything changes. A file that is empty, short or not hex, or a symlink or
    anything but a regular file where a secret belongs, fails the task with a message naming it, and
    nothing is generated or changed.
  - One call for all the secrets of a role, instead of a task per file and step.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details: Reports the files it would generate or give back to root, and changes nothing.
  diff_mode:
    details: Names the files generated and the files whose owner or mode was corrected; never content.
options:
  files:
    description:
      - The secret files.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description:
          - Absolute path of the file. Its directory must exist and should be root's alone.
        type: path
        required: true
      prefix:
        description:
          - Text before the secret, on the same line.
        type: str
        default: ''
  bytes:
    description:
      - Random bytes per secret (twice as many hex digits).
    type: int
    default: 32
notes:
  - Only root can give files to root; run the task with C(become) when connecting as another user.
extends_documentation_fragment:
  - teamhub.jupyter.attributes
'''

EXAMPLES = r'''
- name: Generate the cookie secret and the proxy token once, on the host
  teamhub.jupyter.secret_files:
    files:
      - path: /var/lib/jupyterhub/jupyterhub_cookie_secret
      - path: /etc/jupyterhub/proxy.env
        prefix: CONFIGPROXY_AUTH_TOKEN=
'''

RETURN = r'''
generated:
  description: The files that were (in check mode, would be) generated.
  returned: always
  type: list
  elements: str
  sample: [/var/lib/jupyterhub/jupyterhub_cookie_secret]
fixed:
  description: The files that were (would be) given back to C(root:root), C(0600).
  returned: always
  type: list
  elements: str
  sample: []
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.teamhub.jupyter.plugins.module_utils import secret_files


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type='list', elements='dict', required=True, options=dict(
                path=dict(type='path', required=True),
                prefix=dict(type='str', default=''),
            )),
            bytes=dict(type='int', default=32),
        ),
        supports_check_mode=True,
    )
    if module.params['bytes'] < 16:
        module.fail_json(msg='bytes must be at least 16, not %d' % module.params['bytes'])
    try:
        done = secret_files.apply(module.params['files'], module.params['bytes'], check_mode=module.check_mode)
    except secret_files.SecretFileError as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg='could not write a secret file: %s' % exc)
    result = dict(changed=bool(done['generated'] or done['fixed']), **done)
    if result['changed'] and module._diff:
        result['diff'] = {
            'before': ''.join('%s: missing\n' % p for p in done['generated'])
            + ''.join('%s: not root:root 0600\n' % p for p in done['fixed']),
            'after': ''.join('%s: generated, root:root 0600\n' % p for p in done['generated'])
            + ''.join('%s: root:root 0600\n' % p for p in done['fixed']),
        }
    module.exit_json(**result)


if __name__ == '__main__':
    main()
