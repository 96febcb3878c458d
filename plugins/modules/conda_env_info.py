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
  - With O(lock), also each environment's locks, in the form module M(teamhub.jupyter.conda_env)
    applies them (its O(teamhub.jupyter.conda_env#module:lock) and
    O(teamhub.jupyter.conda_env#module:pip_lock) options).
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
  lock:
    description:
      - Also return each reported environment's locks.
      - RV(envs[].lock) is C(conda list --explicit --md5).
      - RV(envs[].pip_lock) covers the packages installed with pip (channel C(pypi)). The
        environment's pip asks its package index which files it would download for exactly
        the installed versions (C(pip install --dry-run --report)); their sha256 hashes
        become C(--hash) options. The host must reach that index; nothing is installed.
    type: bool
    default: false
    version_added: 0.1.0
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

- name: Read the locks of the analysis environment, to apply them on other servers
  teamhub.jupyter.conda_env_info:
    name: analysis
    lock: true
  register: analysis_locks

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
    lock:
      description: The environment's conda packages in conda's explicit format, with md5s.
      type: str
      returned: when O(lock=true)
      sample: "# platform: linux-64\n@EXPLICIT\nhttps://conda.example/main/linux-64/numpy-2.1.3-py312h1234_0.conda#0123...\n"
    pip_lock:
      description:
        - The packages installed with pip as hashed requirements; empty when there are none.
      type: str
      returned: when O(lock=true)
      sample: "rich==13.9.4 \\\n    --hash=sha256:6049d5e6ec054bf2779ab3358186963bac2ea89175919d699e378b99738c2a90\n"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.teamhub.jupyter.plugins.module_utils import conda as c
from ansible_collections.teamhub.jupyter.plugins.module_utils import conda_lock as cl


def pip_lock(client, prefix, packages):
    """Hashed requirements for the packages of ``prefix`` that pip installed."""
    pypi = sorted((rec['name'], rec['version']) for rec in packages.values() if rec.get('channel') == 'pypi')
    if not pypi:
        return ''
    rc, out, err = client.run(cl.pip_report_cmd(c.env_python(prefix), ['%s==%s' % item for item in pypi]),
                              record=False, check_rc=False)
    if rc != 0:
        raise c.CondaError('pip could not find the files of the pip packages in %s (%s): %s'
                           % (prefix, ', '.join('%s==%s' % item for item in pypi), (err or out).strip()[-2000:]))
    return cl.pip_lock_from_report(c.load_json(out))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str'),
            prefix=dict(type='path'),
            packages=dict(type='bool', default=False),
            lock=dict(type='bool', default=False),
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
        for env in envs:
            if p['packages'] or p['lock']:
                packages = client.packages(env['prefix'])
            if p['packages']:
                env['packages'] = [packages[n] for n in sorted(packages)]
            if p['lock']:
                env['lock'] = client.run(cl.explicit_cmd(client.exe, env['prefix']), record=False)[1]
                env['pip_lock'] = pip_lock(client, env['prefix'], packages)
    except c.CondaError as exc:
        module.fail_json(msg=exc.message, exception_name=exc.exception_name)
    except cl.LockError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, conda_version=version, root_prefix=c.root_prefix(envs, info), envs=envs)


if __name__ == '__main__':
    main()
