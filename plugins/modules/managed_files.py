#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: managed_files
short_description: Write a role's configuration files in one call, each checked before it replaces the old one
version_added: 0.1.0
description:
  - Brings each file in O(files) to its content, owner and mode, removes it (O(files[].state=absent)) or
    makes it a directory (O(files[].state=directory)),
    in one module run instead of a template or copy task per file (each of which costs two module runs
    on the host).
  - O(files[].template) names a template; the action plugin renders it on the controller like
    M(ansible.builtin.template) does (the role's C(templates/) directory, C(ansible_managed), the task's
    variables) and sends the result as O(files[].content); O(files[].src) names a text file it reads.
  - Every file is read and every owner, group, mode and directory checked before anything changes. New
    contents are written beside their files and checked with their O(files[].validate) command; only
    when all of them passed are the files replaced (each by an atomic rename), so a failed check changes
    nothing. A symlink where a file belongs is replaced, never written through.
  - The task reports changed when any file changed; its handlers then run. Put files that need different
    handlers into different tasks.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details: Reports which files would be created, rewritten, corrected or removed, and changes nothing.
  diff_mode:
    details: One diff per file whose content changes.
options:
  files:
    description:
      - The files.
    type: list
    elements: dict
    required: true
    suboptions:
      dest:
        description:
          - Absolute path of the file. Its directory must exist.
        type: path
        required: true
      template:
        description:
          - A template, found and rendered on the controller as M(ansible.builtin.template) finds and
            renders its O(ansible.builtin.template#module:src).
          - Only one of O(files[].template), O(files[].src) and O(files[].content).
        type: str
      src:
        description:
          - A text file on the controller copied as it is, found as M(ansible.builtin.copy) finds its
            O(ansible.builtin.copy#module:src) (the role's C(files/) directory first).
        type: str
      content:
        description:
          - The file's content.
        type: str
      owner:
        description:
          - User name of the owner.
        type: str
        default: root
      group:
        description:
          - Group name.
        type: str
        default: root
      mode:
        description:
          - Octal mode, as a string such as V('0640'). Default V('0644') for a file, V('0755') for a directory.
        type: raw
      validate:
        description:
          - A command that checks the new content before it replaces the file; V(%s) is the new file's
            path. Run without a shell.
        type: str
      state:
        description:
          - V(absent) removes the file.
          - V(directory) makes a directory (or gives it its owner and mode) before any file of the task
            is written. Unlike files, directories are looked up through symlinks, as M(ansible.builtin.file)
            does. A directory made this way stays when a file's check fails.
        type: str
        choices: [present, absent, directory]
        default: present
notes:
  - Only root can give files to root; run the task with C(become) when connecting as another user.
  - The contents travel in the module's arguments; the action plugin keeps them out of the task's
    result. Keep secrets out of it all the same (M(teamhub.jupyter.secret_files) makes them on the host).
extends_documentation_fragment:
  - teamhub.jupyter.attributes
'''

EXAMPLES = r'''
- name: Write the system-wide pip and npm configuration
  teamhub.jupyter.managed_files:
    files:
      - dest: /etc/pip.conf
        template: pip.conf.j2
      - dest: /etc/npmrc
        template: npmrc.j2
      - dest: /etc/apt/apt.conf.d/80teamhub-proxy
        template: apt-proxy.conf.j2
        state: "{{ 'present' if proxy_set else 'absent' }}"

- name: Write the hub's configuration, checked before it replaces the live file
  teamhub.jupyter.managed_files:
    files:
      - dest: /etc/jupyterhub/jupyterhub_config.py
        template: jupyterhub_config.py.j2
        mode: "0640"
        validate: /opt/jupyterhub/venv/bin/python /usr/local/lib/teamhub/check-config %s
  notify: Restart JupyterHub
'''

RETURN = r'''
files:
  description: What was (in check mode, would be) done to each file, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    dest:
      description: The file.
      type: str
    action:
      description: V(none), V(create), V(write) (new content), V(attributes) (owner or mode corrected), V(remove) or V(mkdir).
      type: str
  sample: [{dest: /etc/pip.conf, action: none}, {dest: /etc/npmrc, action: write}]
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.teamhub.jupyter.plugins.module_utils import managed_files


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type='list', elements='dict', required=True, options=dict(
                dest=dict(type='path', required=True),
                template=dict(type='str'),
                src=dict(type='str'),
                content=dict(type='str'),
                owner=dict(type='str', default='root'),
                group=dict(type='str', default='root'),
                mode=dict(type='raw'),
                validate=dict(type='str'),
                state=dict(type='str', choices=['present', 'absent', 'directory'], default='present'),
            ), mutually_exclusive=[['template', 'src', 'content']]),
        ),
        supports_check_mode=True,
    )
    for entry in module.params['files']:
        if entry['template'] is not None or entry['src'] is not None:
            module.fail_json(msg='%s: template and src are read by the action plugin teamhub.jupyter.managed_files '
                                 'on the controller; call the module through it' % entry['dest'])

    def run(argv):
        return module.run_command(argv)

    try:
        done = managed_files.apply(module.params['files'], run, check_mode=module.check_mode)
    except managed_files.ManagedFileError as exc:
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg='could not write a file: %s' % exc)
    result = dict(changed=any(f['action'] != 'none' for f in done['files']), files=done['files'])
    if module._diff and done['diffs']:
        result['diff'] = done['diffs']
    module.exit_json(**result)


if __name__ == '__main__':
    main()
