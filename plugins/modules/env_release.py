#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: env_release
short_description: Switch an environment's name between releases built beside each other
version_added: 0.3.0
description:
  - An environment that running programs use (a kernel's conda environment) is never changed in place.
    Each definition of it is built as a release of its own, O(releases_dir)/NAME-ID, beside the others
    (for example with M(teamhub.jupyter.conda_env) and its O(teamhub.jupyter.conda_env#module:prefix)).
    The environment's name, O(link), is a symbolic link to the release in use.
  - V(state=present) points O(link) at O(release) in one rename, then removes the oldest releases
    beyond O(keep). A release a running process uses (its program or command line lies in the release)
    is never removed; a later run removes it once nothing runs from it.
  - V(state=adopted) moves an environment made in place (a real directory at O(link)) to
    O(releases_dir)/O(release) and leaves a link to it at O(link). The paths written inside the
    environment name O(link), so they still reach its files, and programs running from it keep
    working. Nothing happens when O(link) is a link already or missing.
  - V(state=absent) removes O(link) and every release of the environment no running process uses.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details: Reports what it would move, switch and remove, and changes nothing.
  diff_mode:
    details: Shows where O(link) pointed before and after, and the releases removed.
options:
  link:
    description:
      - The environment's name, an absolute path such as C(/opt/conda/envs/analysis). Its last part,
        NAME, names the releases.
    type: path
    required: true
  releases_dir:
    description:
      - The directory of the releases, on the same file system as O(link).
      - Created (owned by the user the task runs as, mode C(0755)) by V(state=adopted) when missing.
    type: path
    required: true
  release:
    description:
      - The release to use, named NAME-ID, ID being 6 to 64 lowercase hexadecimal digits.
      - Required with V(state=present) and V(state=adopted); with V(state=present) it must exist and be
        a conda environment (have a C(conda-meta) directory).
    type: str
  keep:
    description:
      - How many releases of the environment to keep, the one in use included; older ones are removed.
      - Releases running programs use are kept beyond this number.
    type: int
    default: 3
  state:
    description:
      - V(present) switches O(link) to O(release) and removes old releases.
      - V(adopted) moves an environment made in place into the releases.
      - V(absent) removes O(link) and the releases.
    type: str
    choices: [present, adopted, absent]
    default: present
notes:
  - Processes are found through C(/proc); run the task as root to see every user's processes.
seealso:
  - module: teamhub.jupyter.conda_env
  - module: teamhub.jupyter.kernelspec
extends_documentation_fragment:
  - teamhub.jupyter.attributes
'''

EXAMPLES = r'''
- name: Build the release of the analysis environment beside the one in use
  teamhub.jupyter.conda_env:
    prefix: /opt/conda/envs/.releases/analysis-3f2a9c41d0
    packages: [python=3.12, pandas, ipykernel]

- name: Move an analysis environment made in place into the releases
  teamhub.jupyter.env_release:
    link: /opt/conda/envs/analysis
    releases_dir: /opt/conda/envs/.releases
    release: analysis-3f2a9c41d0
    state: adopted

- name: Switch the name analysis to the new release, keep two
  teamhub.jupyter.env_release:
    link: /opt/conda/envs/analysis
    releases_dir: /opt/conda/envs/.releases
    release: analysis-3f2a9c41d0
    keep: 2

- name: Remove the analysis environment, every release nothing runs from
  teamhub.jupyter.env_release:
    link: /opt/conda/envs/analysis
    releases_dir: /opt/conda/envs/.releases
    state: absent
'''

RETURN = r'''
link:
  description: The environment's name.
  returned: always
  type: str
  sample: /opt/conda/envs/analysis
path:
  description: The release O(link) points at after the task (in check mode, would point at); empty when none.
  returned: always
  type: str
  sample: /opt/conda/envs/.releases/analysis-3f2a9c41d0
before:
  description: What O(link) pointed at before the task; empty when it was missing.
  returned: always
  type: str
  sample: /opt/conda/envs/.releases/analysis-0b1c2d3e4f
adopted:
  description: Whether an environment made in place was (would be) moved into the releases.
  returned: always
  type: bool
removed:
  description: The releases (and with V(state=absent) the link) removed, or in check mode to be removed.
  returned: always
  type: list
  elements: str
  sample: [analysis-0b1c2d3e4f]
in_use:
  description: Releases kept although they are beyond O(keep) or absent, with the PIDs running from them.
  returned: always
  type: dict
  sample: {analysis-0b1c2d3e4f: [4242]}
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.teamhub.jupyter.plugins.module_utils import env_release as er


def run(module):
    params = module.params
    link, releases_dir, release = params['link'], params['releases_dir'], params['release']
    check = module.check_mode
    before = er.current(link)[1]
    result = dict(changed=False, link=link, path='', before=before or '', adopted=False, removed=[], in_use={})
    if params['state'] == 'adopted':
        result['adopted'] = result['changed'] = er.adopt(link, releases_dir, release, check=check)
        result['path'] = os.path.join(releases_dir, release) if result['adopted'] else result['before']
        return result
    used = er.processes_using(releases_dir)
    if params['state'] == 'absent':
        removed, busy = er.remove(link, releases_dir, used, check=check)
    else:
        if params['keep'] < 1:
            raise er.EnvReleaseError('keep must be 1 or more, got %d' % params['keep'])
        result['changed'] = er.switch(link, releases_dir, release, check=check)[1]
        result['path'] = os.path.join(releases_dir, release)
        removed, busy = er.prune(link, releases_dir, params['keep'], used, pointed=release, check=check)
    result['removed'] = removed
    result['in_use'] = dict((name, used.get(name, [])) for name in busy)
    result['changed'] = result['changed'] or bool(removed)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            link=dict(type='path', required=True),
            releases_dir=dict(type='path', required=True),
            release=dict(type='str'),
            keep=dict(type='int', default=3),
            state=dict(type='str', default='present', choices=['present', 'adopted', 'absent']),
        ),
        required_if=[('state', 'present', ('release',)), ('state', 'adopted', ('release',))],
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except er.EnvReleaseError as exc:
        module.fail_json(msg=str(exc), link=module.params['link'])
    except (IOError, OSError) as exc:
        module.fail_json(msg='could not change the releases of %s: %s' % (module.params['link'], to_native(exc)),
                         link=module.params['link'])
    if result['changed'] and module._diff:
        result['diff'] = {'before_header': result['link'], 'after_header': result['link'],
                          'before': 'link -> %s\n' % result['before'] if result['before'] else '',
                          'after': ''.join(['link -> %s\n' % result['path'] if result['path'] else '']
                                           + ['removed %s\n' % name for name in result['removed']])}
    module.exit_json(**result)


if __name__ == '__main__':
    main()
