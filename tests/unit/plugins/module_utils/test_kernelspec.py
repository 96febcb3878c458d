# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import kernelspec as ks

from ..kernelspec_fakes import LOGO, make_env, read_kernel_out


# ---------------------------------------------------------------- names

@pytest.mark.parametrize('name', ['python3', 'analysis', 'team-py3.12', 'a_b', 'x', '0.1-rc_2'])
def test_valid_names(name):
    assert ks.validate_kernel_name(name) == name


@pytest.mark.parametrize('name, words', [
    ('', ['must not be empty']),
    ('Analysis', ["upper-case letters 'A'", "use 'analysis'"]),
    ('my kernel', ["not allowed: ' '"]),
    ('a/b', ["not allowed: '/'"]),
    ('Py/3 x', ["upper-case letters 'P'", "'py/3 x'", "not allowed: '/', ' '"]),
    ('..', ['not a usable directory name']),
    ('caf\u00e9', ["not allowed: '\u00e9'"]),
    ('k' * 256, ['256 characters']),
])
def test_invalid_names_say_what_is_wrong(name, words):
    with pytest.raises(ks.KernelSpecError) as err:
        ks.validate_kernel_name(name)
    for word in words:
        assert word in str(err.value)


# ---------------------------------------------------------------- environments

@pytest.fixture
def root(tmp_path):
    """A conda root with base, envs/analysis and an environment outside the root."""
    conda_root = str(tmp_path / 'conda')
    make_env(conda_root)
    make_env(os.path.join(conda_root, 'envs', 'analysis'))
    make_env(str(tmp_path / 'elsewhere' / 'proj'))
    return conda_root


def test_resolve_by_name(root):
    env = ks.resolve_environment(conda_env='analysis', conda_root=root)
    assert env.python == os.path.join(root, 'envs', 'analysis', 'bin', 'python')
    assert env.prefix == os.path.join(root, 'envs', 'analysis')
    assert env.env_name == 'analysis'
    assert env.label == 'analysis'


def test_resolve_base_is_the_root(root):
    env = ks.resolve_environment(conda_env='base', conda_root=root + '/')
    assert env.prefix == root
    assert env.env_name == 'base'


def test_resolve_by_prefix(root, tmp_path):
    env = ks.resolve_environment(conda_prefix=os.path.join(root, 'envs', 'analysis'), conda_root=root)
    assert env.env_name == 'analysis'
    outside = str(tmp_path / 'elsewhere' / 'proj')
    env = ks.resolve_environment(conda_prefix=outside, conda_root=root)
    assert env.env_name == outside  # conda names such environments by their path
    assert env.label == 'proj'
    assert env.python == os.path.join(outside, 'bin', 'python')


def test_resolve_by_python(root, tmp_path):
    python = os.path.join(root, 'envs', 'analysis', 'bin', 'python')
    env = ks.resolve_environment(python=python, conda_root=root)
    assert (env.python, env.prefix, env.env_name) == (python, os.path.join(root, 'envs', 'analysis'), 'analysis')
    bare = tmp_path / 'bare' / 'bin'
    bare.mkdir(parents=True)
    (bare / 'python3').write_text('#!/bin/sh\n')
    (bare / 'python3').chmod(0o755)
    env = ks.resolve_environment(python=str(bare / 'python3'), conda_root=root)
    assert env.prefix is None and env.env_name is None


@pytest.mark.parametrize('kwargs, words', [
    (dict(conda_env='nope'), ["conda environment 'nope' not found", '/envs/nope does not exist']),
    (dict(conda_env='a/b'), ['is a path', 'use conda_prefix']),
    (dict(conda_prefix='relative/env'), ['absolute path']),
    (dict(python='python3'), ['absolute path']),
    (dict(), ['exactly one of', 'got none']),
    (dict(conda_env='analysis', python='/usr/bin/python3'), ['exactly one', 'conda_env, python']),
])
def test_resolve_errors(root, kwargs, words):
    with pytest.raises(ks.KernelSpecError) as err:
        ks.resolve_environment(conda_root=root, **kwargs)
    for word in words:
        assert word in str(err.value)


def test_resolve_env_without_python(root):
    os.makedirs(os.path.join(root, 'envs', 'empty'))
    with pytest.raises(ks.KernelSpecError, match="conda environment 'empty' has no Python interpreter"):
        ks.resolve_environment(conda_env='empty', conda_root=root)


# ---------------------------------------------------------------- probing

def test_probe_reads_the_fake_interpreter(root):
    env = ks.resolve_environment(conda_env='analysis', conda_root=root)
    info = ks.probe_environment(env)
    assert info['ipykernel'] == '7.3.0'
    assert info['kernel_protocol_version'] == '5.5'


def test_missing_ipykernel_fails_clearly(tmp_path):
    make_env(str(tmp_path / 'conda'))
    make_env(str(tmp_path / 'conda' / 'envs' / 'plain'), ipykernel=None)
    env = ks.resolve_environment(conda_env='plain', conda_root=str(tmp_path / 'conda'))
    with pytest.raises(ks.KernelSpecError) as err:
        ks.probe_environment(env)
    assert str(err.value).startswith('environment plain has no ipykernel')
    assert str(err.value).endswith('add ipykernel to its packages')


def test_probe_failure_and_garbage():
    env = ks.Environment('/x/bin/python', '/x', 'x', 'x')
    with pytest.raises(ks.KernelSpecError, match='exit 1.*boom'):
        ks.probe_environment(env, run=lambda argv: (1, '', 'boom'))
    with pytest.raises(ks.KernelSpecError, match='unexpected output'):
        ks.probe_environment(env, run=lambda argv: (0, 'hello', ''))
    seen = []
    info = ks.probe_environment(env, run=lambda argv: seen.append(argv) or (0, 'noise\n{"ipykernel": "6.29.5"}\n', ''))
    assert info['ipykernel'] == '6.29.5'
    assert seen[0][:4] == ['/x/bin/python', '-s', '-E', '-c']


def _venv(tmp_path, with_ipykernel):
    """A real venv (no pip) with an optional stub ipykernel package."""
    venv = tmp_path / ('venv-%s' % with_ipykernel)
    subprocess.check_call([sys.executable, '-m', 'venv', '--without-pip', str(venv)])
    if with_ipykernel:
        site = subprocess.check_output([str(venv / 'bin' / 'python'), '-c',
                                        'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                                       universal_newlines=True).strip()
        pkg = os.path.join(site, 'ipykernel')
        os.makedirs(os.path.join(pkg, 'resources'))
        with open(os.path.join(pkg, '__init__.py'), 'w') as handle:
            handle.write('__version__ = "9.9.9"\n')
        with open(os.path.join(pkg, 'kernelspec.py'), 'w') as handle:
            handle.write('def get_kernel_dict():\n'
                         '    return {"kernel_protocol_version": "5.5", "metadata": {"debugger": True}}\n')
    return str(venv / 'bin' / 'python')


def test_probe_script_with_a_real_interpreter(tmp_path, monkeypatch):
    python = _venv(tmp_path, True)
    info = ks.probe_environment(ks.Environment(python))
    assert info['ipykernel'] == '9.9.9'
    assert info['python'][:2] == list(sys.version_info[:2])
    assert info['implementation'] == 'CPython'
    assert info['kernel_protocol_version'] == '5.5'
    assert info['metadata'] == {'debugger': True}
    assert info['resources'].endswith(os.path.join('ipykernel', 'resources'))
    # PYTHONPATH is ignored: an ipykernel only reachable through it does not count
    bare = _venv(tmp_path, False)
    monkeypatch.setenv('PYTHONPATH', os.path.dirname(os.path.dirname(info['resources'])))
    with pytest.raises(ks.KernelSpecError, match='has no ipykernel .*ModuleNotFoundError'):
        ks.probe_environment(ks.Environment(bare))


# ---------------------------------------------------------------- building

INFO = {'python': [3, 12, 4], 'implementation': 'CPython', 'ipykernel': '7.3.0',
        'kernel_protocol_version': '5.5', 'metadata': {'debugger': True}}
ENV = ks.Environment('/opt/conda/envs/analysis/bin/python', '/opt/conda/envs/analysis', 'analysis', 'analysis')


def test_build_spec_activated():
    spec, files = ks.build_spec(ENV, INFO, env={'OMP_NUM_THREADS': 2}, metadata={'team': 'x'})
    assert spec == {
        'argv': ['/bin/sh', '{resource_dir}/kernel-launcher.sh', '/opt/conda/envs/analysis/bin/python',
                 '-Xfrozen_modules=off', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
        'display_name': 'Python 3.12 (analysis)',
        'language': 'python',
        'interrupt_mode': 'signal',
        'metadata': {'debugger': True, 'team': 'x'},
        'env': {'OMP_NUM_THREADS': '2'},
        'kernel_protocol_version': '5.5',
    }
    assert sorted(files) == ['kernel-launcher.sh']
    assert b"teamhub_prefix='/opt/conda/envs/analysis'" in files['kernel-launcher.sh']
    assert files['kernel-launcher.sh'].rstrip().endswith(b'exec "$@"')


def test_build_spec_plain_like_ipykernel_install():
    info = dict(INFO, python=[3, 10, 1])
    del info['kernel_protocol_version']
    spec, files = ks.build_spec(ENV, info, display_name='Analysis', activate=False, interrupt_mode='message',
                                metadata={'debugger': False})
    assert spec['argv'] == ['/opt/conda/envs/analysis/bin/python', '-m', 'ipykernel_launcher',
                            '-f', '{connection_file}']
    assert spec['display_name'] == 'Analysis'
    assert spec['interrupt_mode'] == 'message'
    assert spec['metadata'] == {'debugger': False}
    assert 'env' not in spec and 'kernel_protocol_version' not in spec
    assert files == {}


def test_build_spec_errors():
    with pytest.raises(ks.KernelSpecError, match='interrupt_mode must be one of signal, message'):
        ks.build_spec(ENV, INFO, interrupt_mode='sigint')
    with pytest.raises(ks.KernelSpecError, match='nothing to activate; set activate to false'):
        ks.build_spec(ks.Environment('/usr/bin/python3'), INFO)
    with pytest.raises(ks.KernelSpecError, match=r"env\['DEBUG'\] must be a string"):
        ks.build_spec(ENV, INFO, env={'DEBUG': True})


def test_launcher_quotes_odd_prefixes():
    env = ks.Environment("/srv/it's here/bin/python", "/srv/it's here", "/srv/it's here", "it's here")
    text = ks.build_launcher(env)
    assert "teamhub_prefix='/srv/it'\"'\"'s here'" in text


def test_conda_env_vars_in_condas_order(tmp_path):
    prefix = str(tmp_path / 'env')
    make_env(prefix, package_vars={'b-pkg.json': {'GDAL_DATA': '/b', 'SHARED': 'b'},
                                   'a-pkg.json': {'PROJ_DATA': '/a', 'SHARED': 'a', 'GONE': 'x'}},
             state_vars={'SHARED': 'mine', 'GONE': '***unset***', 'QUOTE': "it's"})
    assert ks.conda_env_vars(prefix) == [('PROJ_DATA', '/a'), ('SHARED', 'mine'), ('GONE', None),
                                         ('GDAL_DATA', '/b'), ('QUOTE', "it's")]
    assert ks.conda_env_vars(str(tmp_path / 'nothing')) == []


@pytest.mark.skipif(not shutil.which('shellcheck'), reason='shellcheck is not installed')
def test_launcher_passes_shellcheck(tmp_path):
    prefix = str(tmp_path / 'env')
    make_env(prefix, state_vars={'A': 'x y', 'B': '***unset***'})
    launcher = tmp_path / 'kernel-launcher.sh'
    launcher.write_text(ks.build_launcher(ks.Environment(prefix + '/bin/python', prefix, 'env', 'env')))
    subprocess.check_call(['shellcheck', '-s', 'sh', str(launcher)])


def test_conda_env_vars_errors(tmp_path):
    prefix = str(tmp_path / 'env')
    make_env(prefix, state_vars={'NOT VALID': 'x'})
    with pytest.raises(ks.KernelSpecError, match="sets 'NOT VALID', which is not a valid"):
        ks.conda_env_vars(prefix)
    with open(os.path.join(prefix, 'conda-meta', 'state'), 'w') as handle:
        handle.write('{oops')
    with pytest.raises(ks.KernelSpecError, match='cannot read conda variables from .*/conda-meta/state'):
        ks.conda_env_vars(prefix)


def test_kernels_dir_for():
    assert ks.kernels_dir_for() == '/usr/local/share/jupyter/kernels'
    assert ks.kernels_dir_for(prefix='/opt/hub') == '/opt/hub/share/jupyter/kernels'
    assert ks.kernels_dir_for(kernels_dir='/k') == '/k'
    with pytest.raises(ks.KernelSpecError):
        ks.kernels_dir_for('/k', '/p')


# ---------------------------------------------------------------- disk: compare, write, remove

def _desired():
    return ks.build_spec(ENV, dict(INFO, resources=None))


def test_write_then_compare_is_idempotent(tmp_path):
    spec_dir = str(tmp_path / 'kernels' / 'analysis')
    spec, files = _desired()
    assert ks.differences(ks.read_existing(spec_dir), spec, files) == ['spec directory missing']
    ks.write_spec(spec_dir, spec, files)
    assert ks.differences(ks.read_existing(spec_dir), spec, files) == []
    assert sorted(os.listdir(str(tmp_path / 'kernels'))) == ['analysis']  # no temporary leftovers
    with open(os.path.join(spec_dir, 'kernel.json')) as handle:
        assert json.load(handle) == spec
    assert os.stat(spec_dir).st_mode & 0o777 == 0o755
    assert os.stat(os.path.join(spec_dir, 'kernel-launcher.sh')).st_mode & 0o777 == 0o644


def test_written_spec_is_readable_by_everyone_whatever_the_umask(tmp_path):
    spec, files = _desired()
    old = os.umask(0o077)
    try:
        ks.write_spec(str(tmp_path / 'share' / 'jupyter' / 'kernels' / 'analysis'), spec, files)
    finally:
        os.umask(old)
    for path in ('share', 'share/jupyter', 'share/jupyter/kernels', 'share/jupyter/kernels/analysis'):
        assert os.stat(str(tmp_path / path)).st_mode & 0o777 == 0o755, path
    for name in os.listdir(str(tmp_path / 'share/jupyter/kernels/analysis')):
        assert os.stat(str(tmp_path / 'share/jupyter/kernels/analysis' / name)).st_mode & 0o777 == 0o644


def test_compare_by_parsed_json(tmp_path):
    spec_dir = str(tmp_path / 'analysis')
    spec, files = _desired()
    ks.write_spec(spec_dir, spec, files)
    # same content, other formatting and key order: no change
    with open(os.path.join(spec_dir, 'kernel.json'), 'w') as handle:
        json.dump(dict(reversed(list(spec.items()))), handle)
    assert ks.differences(ks.read_existing(spec_dir), spec, files) == []
    spec2 = dict(spec, display_name='Other')
    assert ks.differences(ks.read_existing(spec_dir), spec2, files) == ['kernel.json differs in display_name']


def test_compare_helper_files_and_modes(tmp_path):
    spec_dir = str(tmp_path / 'analysis')
    spec, files = _desired()
    ks.write_spec(spec_dir, spec, files)
    with open(os.path.join(spec_dir, 'kernel-launcher.sh'), 'a') as handle:
        handle.write('# edited\n')
    with open(os.path.join(spec_dir, 'stray.txt'), 'w') as handle:
        handle.write('x')
    os.chmod(os.path.join(spec_dir, 'kernel.json'), 0o600)
    diffs = ks.differences(ks.read_existing(spec_dir), spec, files)
    assert 'file kernel-launcher.sh differs' in diffs
    assert 'unexpected file stray.txt' in diffs
    assert 'mode of kernel.json is 600, not 644' in diffs
    assert ks.differences(ks.read_existing(spec_dir), spec, dict(files, **{'logo-32x32.png': LOGO})) \
        .count('missing file logo-32x32.png') == 1
    with open(os.path.join(spec_dir, 'kernel.json'), 'w') as handle:
        handle.write('{broken')
    assert 'kernel.json missing or not valid JSON' in ks.differences(ks.read_existing(spec_dir), spec, files)
    # rewriting fixes everything
    ks.write_spec(spec_dir, spec, files)
    assert ks.differences(ks.read_existing(spec_dir), spec, files) == []


def test_failed_write_leaves_old_spec_and_no_leftovers(tmp_path, monkeypatch):
    kernels = tmp_path / 'kernels'
    spec_dir = str(kernels / 'analysis')
    spec, files = _desired()
    ks.write_spec(spec_dir, spec, files)
    before = ks.read_existing(spec_dir)

    real_write = ks._write_file
    calls = []

    def failing_write(path, data):
        calls.append(path)
        if path.endswith('kernel.json'):
            raise OSError(28, 'No space left on device')
        real_write(path, data)

    monkeypatch.setattr(ks, '_write_file', failing_write)
    with pytest.raises(OSError, match='No space left'):
        ks.write_spec(spec_dir, dict(spec, display_name='New'), dict(files, extra=b'x'))
    assert calls  # the helper files were written before the failure
    assert ks.read_existing(spec_dir) == before
    assert sorted(os.listdir(str(kernels))) == ['analysis']


def test_failed_rename_restores_old_spec(tmp_path, monkeypatch):
    kernels = tmp_path / 'kernels'
    spec_dir = str(kernels / 'analysis')
    spec, files = _desired()
    ks.write_spec(spec_dir, spec, files)
    before = ks.read_existing(spec_dir)
    real_rename = os.rename

    def failing_rename(src, dst):
        if os.path.basename(src).startswith('.analysis.new-'):
            raise OSError(13, 'Permission denied')
        real_rename(src, dst)

    monkeypatch.setattr(ks.os, 'rename', failing_rename)
    with pytest.raises(OSError, match='Permission denied'):
        ks.write_spec(spec_dir, dict(spec, display_name='New'), files)
    monkeypatch.undo()
    assert ks.read_existing(spec_dir) == before
    assert sorted(os.listdir(str(kernels))) == ['analysis']


def test_remove(tmp_path):
    spec_dir = str(tmp_path / 'analysis')
    spec, files = _desired()
    assert ks.remove_spec(spec_dir) is False
    ks.write_spec(spec_dir, spec, files)
    assert ks.remove_spec(spec_dir) is True
    assert os.listdir(str(tmp_path)) == []


# ---------------------------------------------------------------- the launcher, for real

ACTIVATE_D = {
    '10-first.sh': 'export TEAMHUB_TEST_FIRST=one\nset -- clobbered arguments\n',
    '20-second.sh': 'export TEAMHUB_TEST_SECOND="${TEAMHUB_TEST_FIRST}-two"\n',
    '30-bashism.sh': 'arr=(a b)\nexport TEAMHUB_TEST_BASHISM=yes\n',
    'README.txt': 'export TEAMHUB_TEST_NOT_SH=yes\n',
}


def _launch(tmp_path, monkeypatch, wait=False):
    root = str(tmp_path / 'conda')
    make_env(root)
    make_env(os.path.join(root, 'envs', 'analysis'), activate_scripts=ACTIVATE_D,
             package_vars={'pkg.json': {'TEAMHUB_TEST_PKG': 'pkg', 'TEAMHUB_TEST_DROP': 'x'}},
             state_vars={'TEAMHUB_TEST_STATE': "it's $HOME", 'TEAMHUB_TEST_DROP': '***unset***'})
    env = ks.resolve_environment(conda_env='analysis', conda_root=root)
    spec, files = ks.build_spec(env, ks.probe_environment(env))
    spec_dir = str(tmp_path / 'kernels' / 'analysis')
    ks.write_spec(spec_dir, spec, files)
    out = str(tmp_path / 'kernel.out')
    # what jupyter_client does: substitute the templates, add env, start the process
    argv = [a.replace('{resource_dir}', spec_dir).replace('{connection_file}', '/tmp/conn file.json')
            for a in spec['argv']]
    environ = dict(os.environ, FAKE_KERNEL_OUT=out, FAKE_KERNEL_WAIT='1' if wait else '',
                   CONDA_PREFIX=root, PATH='%s/bin:/usr/bin:/bin' % root, TEAMHUB_TEST_DROP='from jupyter')
    proc = subprocess.Popen(argv, env=environ, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 30
    while not os.path.exists(out) and time.time() < deadline:
        time.sleep(0.02)
    return proc, out, env


def test_launcher_activates_and_execs(tmp_path, monkeypatch):
    proc, out, env = _launch(tmp_path, monkeypatch)
    proc.wait(10)
    stderr = proc.stderr.read().decode()
    pid, args, environ = read_kernel_out(out)
    assert pid == proc.pid  # exec: the kernel is the process Jupyter started
    assert args == '-Xfrozen_modules=off -m ipykernel_launcher -f /tmp/conn file.json'
    assert environ['CONDA_PREFIX'] == env.prefix
    assert environ['CONDA_DEFAULT_ENV'] == 'analysis'
    assert environ['CONDA_SHLVL'] == '1'
    # the env's bin first, the previously active env's bin gone
    assert environ['PATH'] == '%s/bin:/usr/bin:/bin' % env.prefix
    assert environ['TEAMHUB_TEST_FIRST'] == 'one'
    assert environ['TEAMHUB_TEST_SECOND'] == 'one-two'
    assert 'TEAMHUB_TEST_BASHISM' not in environ and 'TEAMHUB_TEST_NOT_SH' not in environ
    assert environ['TEAMHUB_TEST_PKG'] == 'pkg'
    assert environ['TEAMHUB_TEST_STATE'] == "it's $HOME"  # taken literally
    assert 'TEAMHUB_TEST_DROP' not in environ
    assert 'skipping %s/etc/conda/activate.d/30-bashism.sh (not POSIX sh)' % env.prefix in stderr
    assert not any(k.startswith('teamhub_') for k in environ)
    assert proc.returncode == 0


def test_launcher_kernel_receives_sigint(tmp_path, monkeypatch):
    # Jupyter's server handles SIGINT, so its kernels start with SIGINT at its default.
    # A test runner started as a background job of a non-interactive shell ignores it,
    # and ignored signals are inherited (sh cannot trap them again): start the kernel
    # from a process that handles SIGINT, as Jupyter does.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc, out, dummy = _launch(tmp_path, monkeypatch, wait=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        pid = read_kernel_out(out)[0]
        assert pid == proc.pid
        os.kill(proc.pid, signal.SIGINT)  # what interrupt_mode "signal" does
        assert proc.wait(10) == 0
        with open(out + '.sigint') as handle:
            assert handle.read().strip() == 'interrupted'
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- listing

def test_list_specs(tmp_path):
    kernels = str(tmp_path / 'kernels')
    assert ks.list_specs(kernels) == {}
    spec, files = _desired()
    ks.write_spec(os.path.join(kernels, 'analysis'), spec, files)
    plain, dummy = ks.build_spec(ENV, INFO, activate=False)
    ks.write_spec(os.path.join(kernels, 'Plain'), plain, {})
    os.makedirs(os.path.join(kernels, 'broken'))
    with open(os.path.join(kernels, 'broken', 'kernel.json'), 'w') as handle:
        handle.write('[1, 2')
    os.makedirs(os.path.join(kernels, 'not-a-spec'))
    os.makedirs(os.path.join(kernels, '.analysis.new-xyz'))
    with open(os.path.join(kernels, '.analysis.new-xyz', 'kernel.json'), 'w') as handle:
        handle.write('{}')
    listed = ks.list_specs(kernels)
    assert sorted(listed) == ['Plain', 'analysis', 'broken']
    assert listed['analysis']['activated'] is True
    assert listed['analysis']['python'] == ENV.python
    assert listed['analysis']['kernel_spec'] == spec
    assert listed['analysis']['valid_name'] is True
    assert listed['Plain']['activated'] is False
    assert listed['Plain']['python'] == ENV.python
    assert listed['Plain']['valid_name'] is False
    assert listed['broken']['kernel_spec'] is None and listed['broken']['error']
