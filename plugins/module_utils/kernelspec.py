# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Jupyter kernelspecs for Python environments, as plain functions.

Used by the ``teamhub.jupyter.kernelspec`` module; nothing here depends on
AnsibleModule, so every function can be unit-tested directly.

A spec directory holds ``kernel.json`` plus helper files (the activation
launcher, logos). It is always written as a whole into a temporary directory
next to its final place and renamed into place, so a failure never leaves a
half-written spec behind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json
import os
import re
import shutil
import subprocess
import tempfile

DEFAULT_CONDA_ROOT = '/opt/conda'
DEFAULT_KERNELS_DIR = '/usr/local/share/jupyter/kernels'
KERNEL_JSON = 'kernel.json'
LAUNCHER = 'kernel-launcher.sh'
LAUNCHER_SHELL = '/bin/sh'
INTERRUPT_MODES = ('signal', 'message')
DIR_MODE = 0o755
FILE_MODE = 0o644
# Logos ipykernel ships in ipykernel/resources; copied so front ends show them.
LOGO_FILES = ('logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg')

_ALLOWED = re.compile(r'^[a-z0-9._-]+\Z')


class KernelSpecError(Exception):
    """A problem the user can fix; the message says what and how."""


# ---------------------------------------------------------------- names


def validate_kernel_name(name):
    """Return ``name`` if Jupyter accepts it as a kernel name, else raise.

    Jupyter lowercases names and accepts only ``[a-z0-9._-]``. Upper case is
    refused here rather than silently lowercased, so that the name in the
    inventory is the name of the directory on disk.
    """
    if name is None or name == '':
        raise KernelSpecError('kernel name must not be empty')
    if name in ('.', '..'):
        raise KernelSpecError("kernel name %r is not a usable directory name" % name)
    if len(name) > 255:
        raise KernelSpecError('kernel name is %d characters long; at most 255 are allowed' % len(name))
    if _ALLOWED.match(name):
        return name
    problems = []
    upper = sorted(set(c for c in name if c.isupper()))
    if upper:
        problems.append('upper-case letters %s (Jupyter lowercases kernel names: use %r)'
                        % (', '.join(repr(c) for c in upper), name.lower()))
    bad = []
    for char in name:
        if char.isupper() or _ALLOWED.match(char) or char in bad:
            continue
        bad.append(char)
    if bad:
        problems.append('characters that are not allowed: %s' % ', '.join(repr(c) for c in bad))
    raise KernelSpecError('kernel name %r is invalid: it contains %s; allowed are lower-case '
                          'letters a-z, digits 0-9, ".", "_" and "-"' % (name, ' and '.join(problems)))


# ---------------------------------------------------------------- environments


class Environment:
    """Where a kernel's Python lives.

    ``prefix`` is the environment's prefix (``None`` for a bare interpreter
    outside any conda environment), ``env_name`` the value conda gives
    ``CONDA_DEFAULT_ENV`` for it, ``label`` what to show users.
    """

    def __init__(self, python, prefix=None, env_name=None, label=None):
        self.python = python
        self.prefix = prefix
        self.env_name = env_name
        self.label = label

    def is_conda(self):
        return self.prefix is not None and os.path.isdir(os.path.join(self.prefix, 'conda-meta'))

    def __repr__(self):
        return 'Environment(python=%r, prefix=%r, env_name=%r)' % (self.python, self.prefix, self.env_name)


def _norm(path):
    return os.path.normpath(path)


def conda_env_name(prefix, conda_root=DEFAULT_CONDA_ROOT):
    """Name conda activation gives an environment: ``base``, NAME or the prefix."""
    prefix = _norm(prefix)
    root = _norm(conda_root) if conda_root else None
    if root and prefix == root:
        return 'base'
    if root and os.path.dirname(prefix) == os.path.join(root, 'envs'):
        return os.path.basename(prefix)
    return prefix


def _python_in(prefix):
    return os.path.join(prefix, 'bin', 'python')


def _check_python(python, what):
    if not os.path.exists(python):
        raise KernelSpecError('%s has no Python interpreter: %s does not exist' % (what, python))
    if not os.path.isfile(python) or not os.access(python, os.X_OK):
        raise KernelSpecError('%s: %s is not an executable file' % (what, python))


def resolve_environment(conda_env=None, conda_prefix=None, python=None, conda_root=DEFAULT_CONDA_ROOT):
    """Find the Python of an environment named in exactly one way.

    ``conda_env``: a name under ``conda_root`` (``base`` is the root itself,
    others are ``ROOT/envs/NAME``); ``conda_prefix``: an environment's
    directory; ``python``: an absolute interpreter path, whose environment is
    the directory above its ``bin`` when that is a conda environment.
    """
    given = [k for k, v in (('conda_env', conda_env), ('conda_prefix', conda_prefix), ('python', python))
             if v not in (None, '')]
    if len(given) != 1:
        raise KernelSpecError('give exactly one of conda_env, conda_prefix or python (got %s)'
                              % (', '.join(given) or 'none'))
    conda_root = _norm(conda_root or DEFAULT_CONDA_ROOT)

    if conda_env is not None and conda_env != '':
        if '/' in conda_env or conda_env in ('.', '..'):
            raise KernelSpecError('conda_env %r is a path, not an environment name; use conda_prefix'
                                  % conda_env)
        if conda_env == 'base':
            prefix = conda_root
        else:
            prefix = os.path.join(conda_root, 'envs', conda_env)
        what = 'conda environment %r' % conda_env
        if not os.path.isdir(prefix):
            raise KernelSpecError('%s not found: %s does not exist (conda root %s)'
                                  % (what, prefix, conda_root))
        py = _python_in(prefix)
        _check_python(py, what)
        return Environment(py, prefix, conda_env_name(prefix, conda_root), conda_env)

    if conda_prefix is not None and conda_prefix != '':
        if not os.path.isabs(conda_prefix):
            raise KernelSpecError('conda_prefix must be an absolute path, got %r' % conda_prefix)
        prefix = _norm(conda_prefix)
        what = 'environment %s' % prefix
        if not os.path.isdir(prefix):
            raise KernelSpecError('%s not found: the directory does not exist' % what)
        py = _python_in(prefix)
        _check_python(py, what)
        name = conda_env_name(prefix, conda_root)
        return Environment(py, prefix, name, os.path.basename(prefix) if name == prefix else name)

    if not os.path.isabs(python):
        raise KernelSpecError('python must be an absolute path, got %r' % python)
    py = _norm(python)
    _check_python(py, 'interpreter %s' % py)
    bindir = os.path.dirname(py)
    if os.path.basename(bindir) == 'bin':
        prefix = os.path.dirname(bindir)
        if os.path.isdir(os.path.join(prefix, 'conda-meta')):
            name = conda_env_name(prefix, conda_root)
            return Environment(py, prefix, name, os.path.basename(prefix) if name == prefix else name)
    return Environment(py, None, None, None)


# ---------------------------------------------------------------- probing the interpreter

# Runs inside the environment's own Python: what ipykernel would write itself.
PROBE_SCRIPT = r'''
import json, os, platform, sys
out = {"python": list(sys.version_info[:3]), "implementation": platform.python_implementation(),
       "executable": sys.executable, "ipykernel": None}
try:
    import ipykernel
except Exception as exc:
    out["error"] = "%s: %s" % (type(exc).__name__, exc)
else:
    out["ipykernel"] = getattr(ipykernel, "__version__", "unknown")
    res = os.path.join(os.path.dirname(os.path.abspath(ipykernel.__file__)), "resources")
    out["resources"] = res if os.path.isdir(res) else None
    try:
        from ipykernel.kernelspec import get_kernel_dict
        kd = get_kernel_dict()
        out["kernel_protocol_version"] = kd.get("kernel_protocol_version")
        out["metadata"] = kd.get("metadata") or {}
    except Exception as exc:
        out["kernelspec_error"] = "%s: %s" % (type(exc).__name__, exc)
print(json.dumps(out))
'''


def _subprocess_run(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    return proc.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')


def probe_environment(environment, run=None):
    """Ask the environment's Python about itself and its ipykernel.

    ``run(argv)`` returns ``(rc, stdout, stderr)``; the default runs a
    subprocess. The interpreter runs with ``-s -E``: user site-packages,
    PYTHONPATH and PYTHONHOME are ignored, so a package found only there does
    not count as installed in the environment.
    Raises KernelSpecError when ipykernel cannot be imported.
    """
    run = run or _subprocess_run
    rc, out, err = run([environment.python, '-s', '-E', '-c', PROBE_SCRIPT])
    what = describe(environment)
    if rc != 0:
        raise KernelSpecError('could not run %s to inspect %s (exit %s): %s'
                              % (environment.python, what, rc, (err or out).strip()[-2000:]))
    info = None
    for line in reversed(out.strip().splitlines()):
        try:
            info = json.loads(line)
            break
        except ValueError:
            continue
    if not isinstance(info, dict):
        raise KernelSpecError('unexpected output from %s while inspecting %s: %r'
                              % (environment.python, what, out[-500:]))
    if not info.get('ipykernel'):
        raise KernelSpecError('%s has no ipykernel (%s); add ipykernel to its packages'
                              % (what, info.get('error', 'import failed')))
    return info


def describe(environment):
    if environment.label:
        return 'environment %s' % environment.label
    if environment.prefix:
        return 'environment %s' % environment.prefix
    return 'interpreter %s' % environment.python


# ---------------------------------------------------------------- the desired spec


def python_arguments(info):
    """``-Xfrozen_modules=off`` where ipykernel adds it (CPython 3.11+) so debugpy works."""
    version = tuple(info.get('python') or ())
    if info.get('implementation') == 'CPython' and version >= (3, 11):
        return ['-Xfrozen_modules=off']
    return []


def default_display_name(environment, info):
    version = info.get('python') or []
    text = 'Python'
    if len(version) >= 2:
        text = 'Python %s.%s' % (version[0], version[1])
    if environment.label:
        text += ' (%s)' % environment.label
    return text


def _string_env(env):
    result = {}
    for key, value in (env or {}).items():
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list, tuple)):
            raise KernelSpecError('env[%r] must be a string, got %r (quote it in YAML)' % (key, value))
        result[str(key)] = str(value)
    return result


CONDA_ENV_VARS_UNSET = '***unset***'
_SHELL_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*\Z')


def conda_env_vars(prefix):
    """Variables ``conda activate`` sets for an environment, in conda's order.

    Packages' ``etc/conda/env_vars.d/*.json`` first (sorted by file name),
    then the environment's own ``conda-meta/state`` ``env_vars`` (what
    ``conda env config vars set`` writes), which win. A value of
    ``***unset***`` means the variable is unset. Returns a list of
    ``(name, value_or_None)`` in a stable order.
    """
    merged = {}
    order = []

    def load(path):
        try:
            with open(path) as handle:
                data = json.load(handle)
        except ValueError as exc:
            raise KernelSpecError('cannot read conda variables from %s: %s' % (path, exc))
        if not isinstance(data, dict):
            raise KernelSpecError('cannot read conda variables from %s: not a JSON object' % path)
        return data

    def add(items, source):
        for name, value in items.items():
            if not _SHELL_NAME.match(str(name)):
                raise KernelSpecError('%s sets %r, which is not a valid environment variable name' % (source, name))
            if name not in merged:
                order.append(name)
            merged[name] = None if value == CONDA_ENV_VARS_UNSET else str(value)

    pkg_dir = os.path.join(prefix, 'etc', 'conda', 'env_vars.d')
    if os.path.isdir(pkg_dir):
        for entry in sorted(os.listdir(pkg_dir)):
            path = os.path.join(pkg_dir, entry)
            if os.path.isfile(path):
                add(load(path), path)
    state = os.path.join(prefix, 'conda-meta', 'state')
    if os.path.isfile(state):
        env_vars = load(state).get('env_vars') or {}
        if not isinstance(env_vars, dict):
            raise KernelSpecError('cannot read conda variables from %s: env_vars is not an object' % state)
        add(env_vars, state)
    return [(name, merged[name]) for name in order]


def _sh_quote(value):
    """Single-quote for POSIX sh, always (shellcheck dislikes bare words like env)."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def build_launcher(environment):
    """The POSIX sh launcher that activates the environment, then execs the kernel.

    Activation as conda does it for a single environment: CONDA_PREFIX,
    CONDA_DEFAULT_ENV, CONDA_SHLVL, PATH with PREFIX/bin first (the bin of a
    previously active environment is dropped), the environment's conda
    variables (read now, see conda_env_vars), then every
    ``PREFIX/etc/conda/activate.d/*.sh`` sourced in name order. Scripts are
    sourced inside a function, so they cannot change the kernel's arguments,
    and skipped with a message on stderr if ``sh -n`` rejects them (a syntax
    error in a sourced file would otherwise kill the shell). Finally ``exec``
    replaces the shell with the kernel: same PID, so Jupyter's SIGINT
    reaches the kernel itself.
    """
    prefix = environment.prefix
    name = environment.env_name or prefix
    variables = []
    for var, value in conda_env_vars(prefix):
        if value is None:
            variables.append('unset %s' % var)
        else:
            variables.append('%s=%s' % (var, _sh_quote(value)))
            variables.append('export %s' % var)
    if variables:
        variables = ['# conda environment variables (env_vars.d, conda env config vars)'] + variables + ['']
    return '\n'.join([
        '#!/bin/sh',
        '# Written by teamhub.jupyter.kernelspec; changes are overwritten.',
        '# Activates the conda environment below, then replaces itself with the',
        '# kernel (exec): the kernel keeps this PID and gets Jupyter\'s signals.',
        'teamhub_prefix=%s' % _sh_quote(prefix),
        'teamhub_env_name=%s' % _sh_quote(name),
        '',
        'if [ -n "${CONDA_PREFIX:-}" ] && [ "$CONDA_PREFIX" != "$teamhub_prefix" ]; then',
        '    teamhub_old_bin="$CONDA_PREFIX/bin"',
        '    teamhub_path=',
        '    teamhub_ifs_set=${IFS+set}',
        '    teamhub_ifs=$IFS',
        '    IFS=:',
        '    set -f',
        '    for teamhub_dir in $PATH; do',
        '        [ "$teamhub_dir" = "$teamhub_old_bin" ] && continue',
        '        teamhub_path="${teamhub_path:+$teamhub_path:}$teamhub_dir"',
        '    done',
        '    set +f',
        '    if [ -n "$teamhub_ifs_set" ]; then IFS=$teamhub_ifs; else unset IFS; fi',
        '    PATH=$teamhub_path',
        'fi',
        'PATH="$teamhub_prefix/bin${PATH:+:$PATH}"',
        'CONDA_PREFIX=$teamhub_prefix',
        'CONDA_DEFAULT_ENV=$teamhub_env_name',
        'CONDA_SHLVL=1',
        'CONDA_PROMPT_MODIFIER="($teamhub_env_name) "',
        'export PATH CONDA_PREFIX CONDA_DEFAULT_ENV CONDA_SHLVL CONDA_PROMPT_MODIFIER',
        '',
    ] + variables + [
        'teamhub_activate() {',
        '    for teamhub_script in "$teamhub_prefix"/etc/conda/activate.d/*.sh; do',
        '        [ -f "$teamhub_script" ] || continue',
        '        if %s -n "$teamhub_script" 2>/dev/null; then' % LAUNCHER_SHELL,
        '            # shellcheck disable=SC1090',
        '            . "$teamhub_script"',
        '        else',
        '            echo "kernel-launcher: skipping $teamhub_script (not POSIX sh)" >&2',
        '        fi',
        '    done',
        '}',
        'teamhub_activate',
        'unset teamhub_prefix teamhub_env_name teamhub_old_bin teamhub_path teamhub_ifs teamhub_ifs_set teamhub_dir teamhub_script',
        'unset -f teamhub_activate',
        '',
        'exec "$@"',
        '',
    ])


def kernel_argv(environment, info, activate=True, resource_dir_placeholder='{resource_dir}'):
    """argv for kernel.json; ``{resource_dir}`` is substituted by jupyter_client (>= 5.2)."""
    argv = [environment.python] + python_arguments(info) + ['-m', 'ipykernel_launcher', '-f', '{connection_file}']
    if activate:
        argv = [LAUNCHER_SHELL, '%s/%s' % (resource_dir_placeholder, LAUNCHER)] + argv
    return argv


def build_spec(environment, info, display_name=None, language='python', env=None, metadata=None,
               interrupt_mode='signal', activate=True):
    """Return ``(kernel_json_dict, helper_files)``; helper files map name -> bytes."""
    if interrupt_mode not in INTERRUPT_MODES:
        raise KernelSpecError('interrupt_mode must be one of %s, got %r' % (', '.join(INTERRUPT_MODES), interrupt_mode))
    if activate and environment.prefix is None:
        raise KernelSpecError('%s is not in a conda environment (no conda-meta in the directory above its bin), '
                              'so there is nothing to activate; set activate to false or name the environment'
                              % environment.python)
    merged_metadata = dict(info.get('metadata') or {})
    merged_metadata.update(metadata or {})
    spec = {
        'argv': kernel_argv(environment, info, activate),
        'display_name': display_name or default_display_name(environment, info),
        'language': language or 'python',
        'interrupt_mode': interrupt_mode,
        'metadata': merged_metadata,
    }
    string_env = _string_env(env)
    if string_env:
        spec['env'] = string_env
    if info.get('kernel_protocol_version'):
        spec['kernel_protocol_version'] = str(info['kernel_protocol_version'])
    files = {}
    if activate:
        files[LAUNCHER] = build_launcher(environment).encode('utf-8')
    resources = info.get('resources')
    if resources:
        for logo in LOGO_FILES:
            path = os.path.join(resources, logo)
            if os.path.isfile(path):
                with open(path, 'rb') as handle:
                    files[logo] = handle.read()
    return spec, files


def dump_spec(spec):
    """kernel.json text as written (stable: sorted keys, one-space indent)."""
    return json.dumps(spec, indent=1, sort_keys=True) + '\n'


# ---------------------------------------------------------------- what is on disk


def kernels_dir_for(kernels_dir=None, prefix=None):
    if kernels_dir and prefix:
        raise KernelSpecError('kernels_dir and prefix are mutually exclusive')
    if prefix:
        return os.path.join(prefix, 'share', 'jupyter', 'kernels')
    return kernels_dir or DEFAULT_KERNELS_DIR


def read_existing(spec_dir):
    """Return ``None`` or ``{'kernel': dict|None, 'kernel_text': str, 'files': {name: bytes}, 'modes': {...}}``."""
    if not os.path.lexists(spec_dir):
        return None
    result = {'kernel': None, 'kernel_text': '', 'files': {}, 'modes': {}, 'other': []}
    if os.path.islink(spec_dir) or not os.path.isdir(spec_dir):
        result['other'].append('.')
        return result
    result['modes']['.'] = os.stat(spec_dir).st_mode & 0o7777
    for entry in sorted(os.listdir(spec_dir)):
        path = os.path.join(spec_dir, entry)
        if os.path.islink(path) or not os.path.isfile(path):
            result['other'].append(entry)
            continue
        result['modes'][entry] = os.stat(path).st_mode & 0o7777
        with open(path, 'rb') as handle:
            data = handle.read()
        if entry == KERNEL_JSON:
            result['kernel_text'] = data.decode('utf-8', 'replace')
            try:
                result['kernel'] = json.loads(result['kernel_text'])
            except ValueError:
                result['kernel'] = None
        else:
            result['files'][entry] = data
    return result


def differences(existing, spec, files):
    """List what differs between the spec directory on disk and the desired one."""
    if existing is None:
        return ['spec directory missing']
    diffs = []
    if '.' in existing['other']:
        return ['spec path is not a directory']
    if existing['kernel'] is None:
        diffs.append('kernel.json missing or not valid JSON')
    elif existing['kernel'] != spec:
        keys = sorted(set(existing['kernel']) | set(spec))
        changed = [k for k in keys if existing['kernel'].get(k) != spec.get(k)]
        diffs.append('kernel.json differs in %s' % ', '.join(changed))
    for name in sorted(set(existing['files']) | set(files)):
        if name not in files:
            diffs.append('unexpected file %s' % name)
        elif name not in existing['files']:
            diffs.append('missing file %s' % name)
        elif existing['files'][name] != files[name]:
            diffs.append('file %s differs' % name)
    for name in existing['other']:
        diffs.append('unexpected entry %s' % name)
    for name, mode in sorted(existing['modes'].items()):
        want = DIR_MODE if name == '.' else FILE_MODE
        if mode != want:
            diffs.append('mode of %s is %o, not %o' % (name, mode, want))
    return diffs


# ---------------------------------------------------------------- writing and removing


def _write_file(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, 'wb') as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, FILE_MODE)


def _make_parents(path):
    """Create missing directories readable by everyone, whatever the umask.

    Every member's server must be able to list the kernels directory; a
    restrictive umask (027, 077) under become would otherwise hide it.
    """
    missing = []
    while path and not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for directory in reversed(missing):
        os.mkdir(directory)
        os.chmod(directory, DIR_MODE)


def write_spec(spec_dir, spec, files):
    """Replace ``spec_dir`` with the desired content, all or nothing.

    Everything is written into a hidden temporary directory beside the target
    (same filesystem), ``kernel.json`` last; then the old directory is moved
    aside, the new one renamed into place and the old one deleted. If
    anything fails before the rename, the old spec is untouched and the
    temporary directory removed; if the final rename fails, the old spec is
    moved back.
    """
    parent = os.path.dirname(spec_dir.rstrip('/'))
    name = os.path.basename(spec_dir.rstrip('/'))
    _make_parents(parent)
    tmp = tempfile.mkdtemp(prefix='.%s.new-' % name, dir=parent)
    old = None
    try:
        os.chmod(tmp, DIR_MODE)
        for fname in sorted(files):
            _write_file(os.path.join(tmp, fname), files[fname])
        _write_file(os.path.join(tmp, KERNEL_JSON), dump_spec(spec).encode('utf-8'))
        if os.path.lexists(spec_dir):
            old = tempfile.mkdtemp(prefix='.%s.old-' % name, dir=parent)
            os.rmdir(old)
            os.rename(spec_dir, old)
        try:
            os.rename(tmp, spec_dir)
        except Exception:
            if old is not None:
                os.rename(old, spec_dir)
                old = None
            raise
    except Exception:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        _remove_path(old)


def _remove_path(path):
    if os.path.islink(path) or not os.path.isdir(path):
        os.unlink(path)
    else:
        shutil.rmtree(path)


def remove_spec(spec_dir):
    """Remove a spec directory: renamed aside first, so it disappears at once."""
    if not os.path.lexists(spec_dir):
        return False
    parent = os.path.dirname(spec_dir.rstrip('/'))
    name = os.path.basename(spec_dir.rstrip('/'))
    old = tempfile.mkdtemp(prefix='.%s.old-' % name, dir=parent)
    os.rmdir(old)
    os.rename(spec_dir, old)
    _remove_path(old)
    return True


# ---------------------------------------------------------------- listing


def _argv_python(argv):
    """The interpreter a kernel.json argv runs (after our launcher, if it is used)."""
    if not isinstance(argv, list) or not argv:
        return None
    if len(argv) >= 3 and argv[0] == LAUNCHER_SHELL and str(argv[1]).endswith('/' + LAUNCHER):
        return argv[2]
    return argv[0]


def list_specs(kernels_dir):
    """Describe every spec directory in ``kernels_dir`` (missing directory: none).

    Returns ``{name: {...}}`` with ``path``, ``kernel_spec`` (parsed
    kernel.json or ``None``), ``error`` (why it could not be read, or
    ``None``), ``valid_name``, ``python`` (the interpreter argv runs) and
    ``activated`` (whether it starts through the activation launcher).
    """
    result = {}
    if not os.path.isdir(kernels_dir):
        return result
    for entry in sorted(os.listdir(kernels_dir)):
        path = os.path.join(kernels_dir, entry)
        kernel_file = os.path.join(path, KERNEL_JSON)
        if entry.startswith('.') or not os.path.isdir(path) or not os.path.isfile(kernel_file):
            continue
        item = {'path': path, 'kernel_spec': None, 'error': None, 'python': None, 'activated': False}
        try:
            validate_kernel_name(entry)
            item['valid_name'] = True
        except KernelSpecError:
            item['valid_name'] = False
        try:
            with open(kernel_file, 'rb') as handle:
                spec = json.loads(handle.read().decode('utf-8'))
            if not isinstance(spec, dict):
                raise ValueError('kernel.json is not a JSON object')
        except (IOError, OSError, ValueError) as exc:
            item['error'] = str(exc)
        else:
            item['kernel_spec'] = spec
            item['python'] = _argv_python(spec.get('argv'))
            argv = spec.get('argv') or []
            item['activated'] = (isinstance(argv, list) and len(argv) >= 2 and argv[0] == LAUNCHER_SHELL
                                 and str(argv[1]).endswith('/' + LAUNCHER)
                                 and os.path.isfile(os.path.join(path, LAUNCHER)))
        result[entry] = item
    return result
