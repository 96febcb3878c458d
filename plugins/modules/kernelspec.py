#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: kernelspec
short_description: Register a Python environment as a Jupyter kernel for every user
version_added: 0.1.0
description:
  - Writes a Jupyter kernelspec directory (C(kernel.json) plus helper files) for the
    Python of a conda environment, a conda prefix or an interpreter path, or removes it.
  - By default the spec goes to the system-wide C(/usr/local/share/jupyter/kernels), which
    every user's single-user server searches, unlike C(ipykernel install --user).
  - With O(activate=true) the kernel starts through a small POSIX sh launcher stored in the
    spec directory. It activates the environment the way C(conda activate) does (C(CONDA_PREFIX),
    C(CONDA_DEFAULT_ENV), C(PATH) with C(PREFIX/bin) first, the variables of C(etc/conda/env_vars.d/*.json)
    and C(conda env config vars), the environment's C(etc/conda/activate.d/*.sh) scripts sourced) and then
    C(exec)s the kernel, so the kernel keeps the launcher's PID and receives Jupyter's interrupt signal itself.
  - The interpreter must be able to import C(ipykernel); the module asks it for its Python version,
    the C(kernel_protocol_version) and default metadata its ipykernel writes, and its logos.
  - The spec directory is replaced as a whole (written beside it, then renamed), so a failure never
    leaves a half-written spec.
  - Idempotent, C(kernel.json) is compared by its parsed content and helper files byte by byte.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details:
      - Reports what would change and writes nothing.
      - If the environment does not exist yet or lacks ipykernel (an earlier task would provide it), check mode
        warns and reports a change instead of failing.
  diff_mode:
    details: Shows C(kernel.json) (and the launcher) before and after.
options:
  name:
    description:
      - Kernel name, also the spec directory's name.
      - Lower-case letters, digits, V(.), V(_) and V(-) only, as Jupyter requires.
    type: str
    required: true
  display_name:
    description:
      - Name shown in the notebook launcher and kernel menus.
      - Defaults to C(Python X.Y (ENV)), with the interpreter's version and the environment's name.
    type: str
  state:
    description:
      - V(present) writes the spec, V(absent) removes the spec directory.
    type: str
    choices: [present, absent]
    default: present
  conda_env:
    description:
      - Name of a conda environment under O(conda_root); V(base) is O(conda_root) itself, any other name is
        C(CONDA_ROOT/envs/NAME).
      - Exactly one of O(conda_env), O(conda_prefix) and O(python) is required with O(state=present).
    type: str
  conda_prefix:
    description:
      - Absolute path of an environment's prefix; its interpreter is C(PREFIX/bin/python).
    type: path
  python:
    description:
      - Absolute path of a Python interpreter.
      - With O(activate=true) it must be C(PREFIX/bin/python*) of a conda environment (a directory
        with C(conda-meta)).
    type: path
  conda_root:
    description:
      - Root prefix of the conda installation, used to find O(conda_env) and to name environments.
    type: path
    default: /opt/conda
  env:
    description:
      - Extra environment variables for the kernel, written to C(kernel.json).
      - Jupyter sets them before the launcher runs, so C(activate.d) scripts may override them.
    type: dict
    default: {}
  interrupt_mode:
    description:
      - How Jupyter interrupts the kernel. V(signal) sends SIGINT, V(message) sends an C(interrupt_request).
    type: str
    choices: [signal, message]
    default: signal
  metadata:
    description:
      - Kernel metadata, merged over the defaults the environment's ipykernel writes
        (for example C(debugger)).
    type: dict
    default: {}
  activate:
    description:
      - Start the kernel through the activation launcher (V(true)) or run the interpreter directly
        like C(ipykernel install) does (V(false)).
    type: bool
    default: true
  language:
    description:
      - Language name written to C(kernel.json).
    type: str
    default: python
notes:
  - The conda variables (C(env_vars.d), C(conda env config vars)) are read when the module runs and written
    into the launcher; run the module again after changing them.
  - Only POSIX sh activation scripts (C(*.sh)) are sourced; a script that C(sh -n) rejects is skipped with a
    message on the kernel's stderr.
  - C(env) values must be strings (numbers are converted).
  - The launcher is found through C({resource_dir}) in C(argv), which jupyter_client substitutes since 5.2.
  - Jupyter takes the first spec of a name along its search path, and the server's own environment comes
    before C(/usr/local/share/jupyter). A Jupyter server whose environment has ipykernel also shows its own
    C(python3) kernel; do not name a team kernel V(python3), and hide the server's one with
    C(KernelSpecManager.ensure_native_kernel=False) or C(allowed_kernelspecs) if it is not wanted.
  - Directories the module creates get mode 0755 and files 0644 whatever the umask, so every user can read them.
seealso:
  - name: Jupyter kernel specs
    description: The kernelspec format.
    link: https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs
extends_documentation_fragment:
  - teamhub.jupyter.attributes
  - teamhub.jupyter.kernels_location
'''

EXAMPLES = r'''
- name: Register the analysis environment as a kernel for everyone
  teamhub.jupyter.kernelspec:
    name: analysis
    display_name: Python 3.12 (analysis)
    conda_env: analysis

- name: Register an environment by prefix, without activation
  teamhub.jupyter.kernelspec:
    name: legacy
    conda_prefix: /srv/envs/legacy
    activate: false
    env:
      OMP_NUM_THREADS: "2"

- name: Register an interpreter into another Jupyter prefix
  teamhub.jupyter.kernelspec:
    name: base
    python: /opt/conda/bin/python
    prefix: /opt/jupyterhub

- name: Remove the old dev default kernel
  teamhub.jupyter.kernelspec:
    name: dev-default
    state: absent
'''

RETURN = r'''
path:
  description: The kernel spec directory.
  returned: always
  type: str
  sample: /usr/local/share/jupyter/kernels/analysis
kernel_spec:
  description:
    - Content of C(kernel.json) as written (or as it would be written in check mode).
    - Empty with O(state=absent), and in check mode when the environment is not ready.
  returned: always
  type: dict
  sample:
    argv:
      - /bin/sh
      - "{resource_dir}/kernel-launcher.sh"
      - /opt/conda/envs/analysis/bin/python
      - -Xfrozen_modules=off
      - -m
      - ipykernel_launcher
      - -f
      - "{connection_file}"
    display_name: Python 3.12 (analysis)
    language: python
    interrupt_mode: signal
    metadata:
      debugger: true
    kernel_protocol_version: "5.5"
python:
  description: The kernel's interpreter.
  returned: when O(state=present) and the environment was inspected
  type: str
  sample: /opt/conda/envs/analysis/bin/python
ipykernel_version:
  description: Version of ipykernel in the environment.
  returned: when O(state=present) and the environment was inspected
  type: str
  sample: 7.3.0
changes:
  description: What differed from the desired spec (empty when nothing changed).
  returned: always
  type: list
  elements: str
  sample: ["kernel.json differs in display_name"]
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.teamhub.jupyter.plugins.module_utils import kernelspec as ks


def _text_of(existing):
    if existing is None:
        return ''
    if existing['kernel'] is not None:
        return ks.dump_spec(existing['kernel'])
    return existing['kernel_text']


def _make_diff(spec_dir, existing, spec, files):
    diffs = [{
        'before_header': os.path.join(spec_dir, ks.KERNEL_JSON),
        'after_header': os.path.join(spec_dir, ks.KERNEL_JSON),
        'before': _text_of(existing),
        'after': ks.dump_spec(spec) if spec is not None else '',
    }]
    old_launcher = (existing or {}).get('files', {}).get(ks.LAUNCHER, b'')
    new_launcher = files.get(ks.LAUNCHER, b'')
    if old_launcher != new_launcher:
        diffs.append({
            'before_header': os.path.join(spec_dir, ks.LAUNCHER),
            'after_header': os.path.join(spec_dir, ks.LAUNCHER),
            'before': old_launcher.decode('utf-8', 'replace'),
            'after': new_launcher.decode('utf-8', 'replace'),
        })
    return diffs


def _run(module):
    def run(argv):
        return module.run_command(argv, check_rc=False)
    return run


def state_present(module, spec_dir):
    params = module.params
    try:
        environment = ks.resolve_environment(conda_env=params['conda_env'], conda_prefix=params['conda_prefix'],
                                             python=params['python'], conda_root=params['conda_root'])
        info = ks.probe_environment(environment, run=_run(module))
    except ks.KernelSpecError as exc:
        if not module.check_mode:
            raise
        # In check mode the environment may be one an earlier task would have created
        # or given ipykernel: report the spec as to be written instead of failing.
        module.warn('check mode: %s; assuming an earlier task provides it' % exc)
        return dict(changed=True, path=spec_dir, kernel_spec={}, changes=['environment not ready: %s' % exc])
    spec, files = ks.build_spec(environment, info, display_name=params['display_name'],
                                language=params['language'], env=params['env'], metadata=params['metadata'],
                                interrupt_mode=params['interrupt_mode'], activate=params['activate'])
    existing = ks.read_existing(spec_dir)
    changes = ks.differences(existing, spec, files)
    result = dict(changed=bool(changes), path=spec_dir, kernel_spec=spec, python=environment.python,
                  ipykernel_version=str(info['ipykernel']), changes=changes)
    if changes and module._diff:
        result['diff'] = _make_diff(spec_dir, existing, spec, files)
    if changes and not module.check_mode:
        ks.write_spec(spec_dir, spec, files)
    return result


def state_absent(module, spec_dir):
    existing = ks.read_existing(spec_dir)
    result = dict(changed=existing is not None, path=spec_dir, kernel_spec={},
                  changes=['spec directory present'] if existing is not None else [])
    if existing is not None:
        if module._diff:
            result['diff'] = _make_diff(spec_dir, existing, None, {})
        if not module.check_mode:
            ks.remove_spec(spec_dir)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            display_name=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            conda_env=dict(type='str'),
            conda_prefix=dict(type='path'),
            python=dict(type='path'),
            conda_root=dict(type='path', default=ks.DEFAULT_CONDA_ROOT),
            env=dict(type='dict', default={}),
            interrupt_mode=dict(type='str', default='signal', choices=list(ks.INTERRUPT_MODES)),
            metadata=dict(type='dict', default={}),
            activate=dict(type='bool', default=True),
            kernels_dir=dict(type='path'),
            prefix=dict(type='path'),
            language=dict(type='str', default='python'),
        ),
        mutually_exclusive=[('conda_env', 'conda_prefix', 'python'), ('kernels_dir', 'prefix')],
        required_if=[('state', 'present', ('conda_env', 'conda_prefix', 'python'), True)],
        supports_check_mode=True,
    )
    params = module.params
    try:
        name = ks.validate_kernel_name(params['name'])
        spec_dir = os.path.join(ks.kernels_dir_for(params['kernels_dir'], params['prefix']), name)
        if params['state'] == 'present':
            if name == 'python3':
                module.warn('a kernel named python3 is hidden by the python3 kernel of any Jupyter server whose '
                            'environment has ipykernel (it comes first on the search path); choose another name')
            result = state_present(module, spec_dir)
        else:
            result = state_absent(module, spec_dir)
    except ks.KernelSpecError as exc:
        module.fail_json(msg=str(exc))
    except (IOError, OSError) as exc:
        module.fail_json(msg='could not write kernel spec %s: %s' % (params['name'], exc))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
