#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: conda_env_info
short_description: List conda environments and, optionally, their packages
version_added: 0.1.0
description:
  - Reads C(conda env list --json), C(conda info --json) and, when asked,
    C(conda list --json) for each environment. Changes nothing.
author:
  - TeamHub developers (@teamhub)
options:
  name:
    description:
      - Report only the environment with this name (C(base) is the root environment).
      - Mutually exclusive with O(prefix).
    type: str
  prefix:
    description:
      - Report only the environment at this path. Mutually exclusive with O(name).
    type: path
  packages:
    description:
      - Also list the packages installed in each reported environment.
    type: bool
    default: false
  executable:
    description:
      - Path of C(conda), C(mamba) or C(micromamba), of the installation prefix, or a command name.
      - By default looked for under C(/opt/conda), C(/opt/miniconda3), C(/opt/miniforge3),
        C(/opt/mambaforge), then on E(PATH).
    type: path
seealso:
  - module: teamhub.jupyter.conda_env
extends_documentation_fragment:
  - teamhub.jupyter.attributes.info_module
  - teamhub.jupyter.attributes
"""

EXAMPLES = r"""
- name: List the conda environments
  teamhub.jupyter.conda_env_info:
  register: conda_envs

- name: Read the packages of the analysis environment
  teamhub.jupyter.conda_env_info:
    name: analysis
    packages: true
  register: analysis

- name: Show the numpy version of the analysis environment
  ansible.builtin.debug:
    msg: "{{ analysis.envs[0].packages | selectattr('name', 'equalto', 'numpy') | map(attribute='version') | first }}"
  when: analysis.envs | length > 0
"""

RETURN = r"""
conda_version:
  description: Version reported by C(conda --version).
  returned: always
  type: str
  sample: 26.1.0
root_prefix:
  description: The base environment's prefix.
  returned: always
  type: str
  sample: /opt/conda
envs:
  description:
    - The environments; with O(name) or O(prefix), the one asked for (empty when it does not exist).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the environment, V(null) when it lives outside conda's envs directories.
      type: str
      sample: analysis
    prefix:
      description: Path of the environment.
      type: str
      sample: /opt/conda/envs/analysis
    is_base:
      description: Whether this is the base (root) environment.
      type: bool
      sample: false
    packages:
      description: The installed packages, when O(packages=true).
      type: list
      elements: dict
      returned: when O(packages=true)
      sample: [{"name": "numpy", "version": "2.1.3", "build": "py312h1234_0", "channel": "conda-forge"}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.teamhub.jupyter.plugins.module_utils import conda as c


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str'),
            prefix=dict(type='path'),
            packages=dict(type='bool', default=False),
            executable=dict(type='path'),
        ),
        mutually_exclusive=[('name', 'prefix')],
        supports_check_mode=True,
    )
    p = module.params
    try:
        # reads only: the same commands run in check mode
        client = c.CondaClient(module.run_command, executable=p['executable'], path_lookup=module.get_bin_path)
        version = client.version()
        info = client.info()
        envs = client.envs(info)
        if p['name'] or p['prefix']:
            env = c.resolve_env(envs, name=p['name'], prefix=p['prefix'], info=info)[0]
            envs = [env] if env else []
        if p['packages']:
            for env in envs:
                packages = client.packages(env['prefix'])
                env['packages'] = [packages[n] for n in sorted(packages)]
    except c.CondaError as exc:
        module.fail_json(msg=exc.message, exception_name=exc.exception_name)
    module.exit_json(changed=False, conda_version=version, root_prefix=c.root_prefix(envs, info), envs=envs)


if __name__ == '__main__':
    main()
