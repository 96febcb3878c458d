# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fake conda environments for the kernelspec tests.

A fake environment is a directory with ``conda-meta/`` and an executable
``bin/python`` shell script. Called the way the module probes an interpreter
(``-s -E -c SCRIPT``) it prints the canned answer from ``probe.json``; called
any other way it behaves like a kernel: it writes its PID, arguments and
environment to ``$FAKE_KERNEL_OUT`` and waits for SIGINT (or exits at once
when ``FAKE_KERNEL_WAIT`` is empty).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json
import os
import stat

FAKE_PYTHON = r'''#!/bin/sh
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "$1" = "-s" ] && [ "$2" = "-E" ] && [ "$3" = "-c" ]; then
    cat "$here/probe.json"
    exit 0
fi
out=${FAKE_KERNEL_OUT:?}
if [ -n "${FAKE_KERNEL_WAIT:-}" ]; then
    trap 'echo interrupted > "$out.sigint"; exit 0' INT
fi
{
    echo "pid=$$"
    echo "args=$*"
    env | sort
} > "$out.tmp"
mv "$out.tmp" "$out"
if [ -n "${FAKE_KERNEL_WAIT:-}" ]; then
    i=0
    while [ $i -lt 200 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    exit 3
fi
exit 0
'''

LOGO = b'\x89PNG\r\n\x1a\nfake logo'


def make_env(prefix, ipykernel='7.3.0', python=(3, 12, 4), activate_scripts=None, protocol='5.5',
             metadata=None, logos=True, package_vars=None, state_vars=None):
    """Create a fake conda environment at ``prefix`` (a str path); return its python."""
    bindir = os.path.join(prefix, 'bin')
    os.makedirs(bindir)
    os.makedirs(os.path.join(prefix, 'conda-meta'))
    python_path = os.path.join(bindir, 'python')
    with open(python_path, 'w') as handle:
        handle.write(FAKE_PYTHON)
    os.chmod(python_path, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    probe = {'python': list(python), 'implementation': 'CPython', 'executable': python_path,
             'ipykernel': ipykernel}
    if ipykernel:
        resources = os.path.join(prefix, 'lib', 'ipykernel-resources')
        os.makedirs(resources)
        if logos:
            with open(os.path.join(resources, 'logo-32x32.png'), 'wb') as handle:
                handle.write(LOGO)
        probe['resources'] = resources
        probe['metadata'] = {'debugger': True} if metadata is None else metadata
        if protocol:
            probe['kernel_protocol_version'] = protocol
    else:
        probe['error'] = "ModuleNotFoundError: No module named 'ipykernel'"
    with open(os.path.join(prefix, 'probe.json'), 'w') as handle:
        json.dump(probe, handle)
    if activate_scripts:
        adir = os.path.join(prefix, 'etc', 'conda', 'activate.d')
        os.makedirs(adir)
        for name, text in activate_scripts.items():
            with open(os.path.join(adir, name), 'w') as handle:
                handle.write(text)
    if package_vars:
        vdir = os.path.join(prefix, 'etc', 'conda', 'env_vars.d')
        os.makedirs(vdir)
        for name, variables in package_vars.items():
            with open(os.path.join(vdir, name), 'w') as handle:
                json.dump(variables, handle)
    if state_vars is not None:
        with open(os.path.join(prefix, 'conda-meta', 'state'), 'w') as handle:
            json.dump({'env_vars': state_vars}, handle)
    return python_path


def read_kernel_out(path):
    """Parse what the fake kernel wrote: (pid, args, environment dict)."""
    with open(path) as handle:
        lines = handle.read().splitlines()
    pid = int(lines[0].split('=', 1)[1])
    args = lines[1].split('=', 1)[1]
    environ = {}
    for line in lines[2:]:
        if '=' in line:
            key, value = line.split('=', 1)
            environ[key] = value
    return pid, args, environ
