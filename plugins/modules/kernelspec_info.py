#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: kernelspec_info
short_description: List the Jupyter kernel specs in a kernels directory
version_added: 0.1.0
description:
  - Reads every kernel spec directory (a directory with a C(kernel.json)) in one kernels directory and
    reports its content, without changing anything.
  - Looks only at the given directory, not at Jupyter's whole search path.
author:
  - TeamHub developers (@teamhub)
options:
  name:
    description:
      - Report only this kernel (an empty result if it does not exist).
    type: str
extends_documentation_fragment:
  - teamhub.jupyter.attributes.info_module
  - teamhub.jupyter.attributes
  - teamhub.jupyter.kernels_location
seealso:
  - module: teamhub.jupyter.kernelspec
'''

EXAMPLES = r'''
- name: Read the system-wide kernel specs
  teamhub.jupyter.kernelspec_info:
  register: kernelspecs

- name: Show the interpreters the kernels run
  ansible.builtin.debug:
    msg: "{{ kernelspecs.kernels | dict2items | map(attribute='value.python') | list }}"
'''

RETURN = r'''
kernels_dir:
  description: The directory that was read.
  returned: always
  type: str
  sample: /usr/local/share/jupyter/kernels
kernels:
  description: Kernel specs by directory name; empty when the directory does not exist.
  returned: always
  type: dict
  sample:
    analysis:
      path: /usr/local/share/jupyter/kernels/analysis
      valid_name: true
      python: /opt/conda/envs/analysis/bin/python
      activated: true
      error: null
      kernel_spec:
        display_name: Python 3.12 (analysis)
        language: python
  contains:
    path:
      description: The spec directory.
      type: str
      returned: always
    kernel_spec:
      description: Parsed C(kernel.json), V(null) if it could not be read.
      type: dict
      returned: always
    error:
      description: Why C(kernel.json) could not be read, V(null) if it could.
      type: str
      returned: always
    valid_name:
      description: Whether the directory name is a valid Jupyter kernel name.
      type: bool
      returned: always
    python:
      description: The interpreter the kernel runs (after the activation launcher, if used).
      type: str
      returned: always
    activated:
      description: Whether the kernel starts through the activation launcher of M(teamhub.jupyter.kernelspec).
      type: bool
      returned: always
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.teamhub.jupyter.plugins.module_utils import kernelspec as ks


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str'),
            kernels_dir=dict(type='path'),
            prefix=dict(type='path'),
        ),
        mutually_exclusive=[('kernels_dir', 'prefix')],
        supports_check_mode=True,
    )
    kernels_dir = ks.kernels_dir_for(module.params['kernels_dir'], module.params['prefix'])
    try:
        kernels = ks.list_specs(kernels_dir)
    except (IOError, OSError) as exc:
        module.fail_json(msg='could not read %s: %s' % (kernels_dir, exc))
    if module.params['name'] is not None:
        kernels = dict((k, v) for k, v in kernels.items() if k == module.params['name'])
    module.exit_json(changed=False, kernels_dir=kernels_dir, kernels=kernels)


if __name__ == '__main__':
    main()
