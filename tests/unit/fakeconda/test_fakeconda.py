# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline checks of the conda stand-in (tests/fakeconda/conda).

The stand-in is copied to ROOT/bin/conda, as the test installer does. Nothing
here installs from an index: an env with only ``python`` is a venv made with
the machine's Python (ensurepip works offline). Network-using checks belong
to molecule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import glob
import json
import os
import subprocess
import sys

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import conda as c


def conda(root, *args):
    proc = subprocess.run([sys.executable, os.path.join(root, 'bin', 'conda')] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def conda_json(root, *args, **kwargs):
    rc, out, err = conda(root, *args)
    assert rc == kwargs.get('rc', 0), (out, err)
    return json.loads(out)


def test_version(root):
    rc, out, err = conda(root, '--version')
    assert rc == 0 and c.parse_version_output(out) == '26.1.0'


def test_info_and_env_list_shapes(root):
    info = conda_json(root, 'info', '--json')
    assert info['root_prefix'] == root and info['envs_dirs'][0] == os.path.join(root, 'envs')
    assert info['conda_version'] == '26.1.0'
    envs = conda_json(root, 'env', 'list', '--json')
    assert envs['envs'] == [root]
    assert envs['envs_details'][root]['base'] is True and envs['envs_details'][root]['name'] == 'base'
    assert c.list_envs(envs, info) == [{'name': 'base', 'prefix': root, 'is_base': True}]


def test_list_base(root):
    pkgs = c.parse_package_list(conda_json(root, 'list', '-n', 'base', '--json'))
    assert set(pkgs) == {'python', 'conda'}
    assert pkgs['python']['version'] == '.'.join(map(str, sys.version_info[:3]))


def test_errors_are_conda_json(root):
    data = conda_json(root, 'list', '-p', os.path.join(root, 'envs', 'nope'), '--json', rc=1)
    assert data['exception_name'] == 'EnvironmentLocationNotFound'
    data = conda_json(root, 'list', '-n', 'nope', '--json', rc=1)
    assert data['exception_name'] == 'EnvironmentNameNotFound'
    data = conda_json(root, 'create', '--yes', '--json', '-n', 'x', 'python>=99', '-c', 'conda-forge', rc=1)
    err = c.error_from_json(data)
    assert err.exception_name == 'PackagesNotFoundError' and err.packages == ['python>=99']
    assert err.channels[0].endswith('/conda-forge/linux-64')
    assert not os.path.exists(os.path.join(root, 'envs', 'x'))
    data = conda_json(root, 'remove', '--all', '--yes', '--json', '-n', 'base', rc=1)
    assert data['exception_name'] == 'CondaEnvironmentError'


def test_argument_errors_exit_2(root):
    rc, out, err = conda(root, 'install', '--no-such-flag')
    assert rc == 2 and 'error' in err


def test_env_lifecycle_offline(root):
    prefix = os.path.join(root, 'envs', 'py')
    dry = c.parse_result(conda_json(root, 'create', '--yes', '--json', '--dry-run', '-n', 'py', 'python'))
    assert dry['dry_run'] and dry['added'] and not os.path.exists(prefix)
    result = c.parse_result(conda_json(root, 'create', '--yes', '--json', '-p', prefix, 'python'))
    assert any(a.startswith('python==') for a in result['added'])
    assert os.path.isfile(os.path.join(prefix, 'conda-meta', 'history'))
    envs = c.list_envs(conda_json(root, 'env', 'list', '--json'), conda_json(root, 'info', '--json'))
    assert {'name': 'py', 'prefix': prefix, 'is_base': False} in envs
    pkgs = c.parse_package_list(conda_json(root, 'list', '-p', prefix, '--json'))
    assert 'python' in pkgs and 'pip' in pkgs
    assert c.specs_satisfied(pkgs, ['python=%d.%d' % sys.version_info[:2], 'pip'])
    # a distribution installed with the env's own pip is listed like conda lists it
    [site] = glob.glob(os.path.join(prefix, 'lib', 'python*', 'site-packages'))
    os.mkdir(os.path.join(site, 'Extra_Dist-1.2.dist-info'))
    with open(os.path.join(site, 'Extra_Dist-1.2.dist-info', 'METADATA'), 'w') as fh:
        fh.write('Metadata-Version: 2.1\nName: Extra_Dist\nVersion: 1.2\n\nbody\n')
    listed = conda_json(root, 'list', '-p', prefix, '--json')
    assert {'name': 'extra_dist', 'version': '1.2', 'channel': 'pypi', 'build_string': 'pypi_0'}.items() <= \
        [e for e in listed if e['name'] == 'extra_dist'][0].items()
    # like conda: create --dry-run on an existing env is an error, update wants names only
    data = conda_json(root, 'create', '--yes', '--json', '--dry-run', '-p', prefix, 'python', rc=1)
    assert data['exception_name'] == 'CondaValueError'
    data = conda_json(root, 'update', '--yes', '--json', '-p', prefix, 'pip>=1', rc=1)
    assert data['exception_name'] == 'CondaUpdatePackageError'
    data = conda_json(root, 'update', '--yes', '--json', '-p', prefix, 'numpy', rc=1)
    assert c.parse_error(data) == 'packages not installed in %s: numpy' % prefix
    nothing = c.parse_result(conda_json(root, 'install', '--yes', '--json', '-p', prefix, 'python'))
    assert nothing['nothing_to_do']
    removed = c.parse_result(conda_json(root, 'remove', '--all', '--yes', '--json', '-p', prefix))
    assert any(r.startswith('python==') for r in removed['removed'])
    assert not os.path.exists(prefix)
    assert conda_json(root, 'env', 'list', '--json')['envs'] == [root]


def test_list_explicit_is_condas_export_format(root):
    """conda list --explicit [--md5|--sha256] (conda/cli/main_list.py print_explicit)."""
    prefix = os.path.join(root, 'envs', 'lockme')
    conda_json(root, 'create', '--yes', '--json', '-p', prefix, 'python')
    rc, plain, _err = conda(root, 'list', '--explicit', '-p', prefix)
    assert rc == 0
    lines = plain.splitlines()
    assert lines[:5] == ['# This file may be used to create an environment using:',
                         '# $ conda create --name <env> --file <this file>',
                         '# platform: linux-64', '# created-by: conda 26.1.0', '@EXPLICIT']
    urls = lines[5:]
    assert urls and all(u.startswith(('https://', '# no URL for: ')) and '#' not in u[1:] for u in urls if u[0] != '#')
    assert [u.rsplit('/', 1)[-1].rsplit('-', 2)[0] for u in urls if u[0] != '#'] == \
        sorted((u.rsplit('/', 1)[-1].rsplit('-', 2)[0] for u in urls if u[0] != '#'), key=str.lower)
    rc, md5, _err = conda(root, 'list', '--explicit', '--md5', '-p', prefix)
    assert rc == 0
    for url, hashed in zip(urls, md5.splitlines()[5:]):
        assert hashed.startswith(url + '#') and len(hashed.split('#')[1]) == 32
    rc, sha, _err = conda(root, 'list', '--explicit', '--sha256', '-p', prefix)
    assert all(len(line.split('#')[1]) == 64 and 'sha256:' not in line for line in sha.splitlines()[5:])
    # --json changes nothing; packages pip installed are left out, as conda leaves them out
    assert conda(root, 'list', '--explicit', '--md5', '--json', '-p', prefix)[1] == md5
    [site] = glob.glob(os.path.join(prefix, 'lib', 'python*', 'site-packages'))
    os.mkdir(os.path.join(site, 'Pip_Only-1.0.dist-info'))
    with open(os.path.join(site, 'Pip_Only-1.0.dist-info', 'METADATA'), 'w') as fh:
        fh.write('Metadata-Version: 2.1\nName: Pip_Only\nVersion: 1.0\n')
    assert conda(root, 'list', '--explicit', '--md5', '-p', prefix)[1] == md5
    # the same package has the same hashes in a second environment
    other = os.path.join(root, 'envs', 'lockme2')
    conda_json(root, 'create', '--yes', '--json', '-p', other, 'python')
    assert conda(root, 'list', '--explicit', '--md5', '-p', other)[1] == md5
    data = conda_json(root, 'list', '--explicit', '--md5', '--sha256', '--json', '-p', prefix, rc=1)
    assert data['exception_name'] == 'ArgumentError'


def test_create_and_install_from_an_explicit_file(root, tmp_path):
    """conda create/install --file with @EXPLICIT (conda/misc.py, CEP 23): no solver, the
    packages exactly as listed, a hash checked before anything changes."""
    source = os.path.join(root, 'envs', 'source')
    conda_json(root, 'create', '--yes', '--json', '-p', source, 'python')
    lock = tmp_path / 'lock.txt'
    lock.write_text(conda(root, 'list', '--explicit', '--md5', '-p', source)[1])
    copy = os.path.join(root, 'envs', 'copy')
    made = c.parse_result(conda_json(root, 'create', '--yes', '--json', '-p', copy, '--file', str(lock)))
    assert any(a.startswith('python==') for a in made['added'])
    assert conda(root, 'list', '--explicit', '--md5', '-p', copy)[1] == lock.read_text()
    again = c.parse_result(conda_json(root, 'install', '--yes', '--json', '-p', copy, '--file', str(lock)))
    assert again['nothing_to_do']
    assert copy in conda_json(root, 'env', 'list', '--json')['envs']


def test_explicit_file_errors_leave_the_environment_as_it_was(root, tmp_path):
    prefix = os.path.join(root, 'envs', 'kept')
    conda_json(root, 'create', '--yes', '--json', '-p', prefix, 'python')
    listed = conda(root, 'list', '--explicit', '--md5', '-p', prefix)[1]
    url_line = [line for line in listed.splitlines() if line.startswith('https://')][0]
    # a wrong md5: conda's ChecksumMismatchError, inside a CondaMultiError (errors[])
    bad = tmp_path / 'bad-hash.txt'
    bad.write_text('@EXPLICIT\n%s#%s\n' % (url_line.split('#')[0], '0' * 32))
    data = conda_json(root, 'install', '--yes', '--json', '-p', prefix, '--file', str(bad), rc=1)
    assert data['exception_name'] == 'CondaMultiError' and 'message' not in data
    assert data['errors'][0]['exception_name'] == 'ChecksumMismatchError'
    assert data['errors'][0]['expected_checksum'] == '0' * 32
    err = c.error_from_json(data)
    assert 'ChecksumMismatchError' in err.message and url_line.split('#')[0] in err.message
    # a URL the channel does not have: CondaHTTPError 404
    python_line = [line for line in listed.splitlines() if '/python-' in line][0]
    gone = tmp_path / 'gone.txt'
    gone.write_text('@EXPLICIT\n%s\n' % python_line.split('#')[0].replace('/python-3.', '/python-2.'))
    data = conda_json(root, 'install', '--yes', '--json', '-p', prefix, '--file', str(gone), rc=1)
    assert data['errors'][0]['exception_name'] == 'CondaHTTPError' and data['errors'][0]['status_code'] == 404
    # a line that is no package URL: ParseError, top level
    spec = tmp_path / 'spec.txt'
    spec.write_text('# comment\n@EXPLICIT\nnumpy\n')
    data = conda_json(root, 'install', '--yes', '--json', '-p', prefix, '--file', str(spec), rc=1)
    assert data['exception_name'] == 'ParseError' and data['message'] == 'Could not parse explicit URL: numpy'
    # names together with an explicit file: conda 26.3's CondaValueError
    data = conda_json(root, 'install', '--yes', '--json', '-p', prefix, '--file', str(bad), 'six', rc=1)
    assert data['exception_name'] == 'CondaValueError' and 'Cannot combine package names' in data['message']
    assert conda(root, 'list', '--explicit', '--md5', '-p', prefix)[1] == listed
    # a failed create leaves no prefix behind
    rc, _out, err = conda(root, 'create', '--yes', '-p', os.path.join(root, 'envs', 'never'), '--file', str(bad))
    assert rc == 1 and err.startswith('\nChecksumMismatchError: ')
    assert not os.path.exists(os.path.join(root, 'envs', 'never'))


def test_pip_installed_packages_stay_pypi_after_a_conda_command(root):
    """conda records only what conda installed: a package installed with pip by hand
    stays channel pypi (and out of the explicit list) after later conda commands."""
    prefix = os.path.join(root, 'envs', 'mixed')
    conda_json(root, 'create', '--yes', '--json', '-p', prefix, 'python')
    [site] = glob.glob(os.path.join(prefix, 'lib', 'python*', 'site-packages'))
    os.mkdir(os.path.join(site, 'by_hand-1.0.dist-info'))
    with open(os.path.join(site, 'by_hand-1.0.dist-info', 'METADATA'), 'w') as fh:
        fh.write('Metadata-Version: 2.1\nName: by_hand\nVersion: 1.0\n')
    conda_json(root, 'install', '--yes', '--json', '-p', prefix, 'python')
    pkgs = c.parse_package_list(conda_json(root, 'list', '--json', '-p', prefix))
    assert pkgs['by_hand']['channel'] == 'pypi'
    assert '/by_hand-' not in conda(root, 'list', '--explicit', '-p', prefix)[1]


# --- a member's view of a root-owned ROOT -------------------------------------------
# The tests run as root, for whom everything is writable: a member who may not write
# ROOT is simulated in-process, with the stand-in imported (``fakeconda``) and os.access
# saying no to every write under ROOT.

def member_of(root, fakeconda, monkeypatch, denied=None):
    """Run the imported stand-in on ``root`` as a user who may not write ``denied`` (ROOT);
    called again, it denies that too."""
    denied = denied or root
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if isinstance(path, str) and mode & os.W_OK:
            path_abs = os.path.abspath(path)
            if path_abs == denied or path_abs.startswith(denied + os.sep):
                return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, 'access', access)
    monkeypatch.setattr(fakeconda, 'ROOT', root)


def in_process(fakeconda, capsys, *args, **kwargs):
    rc = fakeconda.main(list(args))
    out, err = capsys.readouterr()
    assert rc == kwargs.get('rc', 0), (out, err)
    return json.loads(out)


def tree(path):
    """Every path under ``path`` (itself included) with its mtime: a write shows."""
    found = [('.', os.lstat(path).st_mtime_ns)]
    for top, dirs, files in os.walk(path):
        for entry in dirs + files:
            full = os.path.join(top, entry)
            found.append((os.path.relpath(full, path), os.lstat(full).st_mtime_ns))
    return sorted(found)


def test_first_writable_envs_and_pkgs_dirs(root, fakeconda, monkeypatch):
    """conda's rule: the first writable envs dir (pkgs dir); one that does not exist yet
    counts as writable when its nearest existing parent is."""
    monkeypatch.setattr(fakeconda, 'ROOT', root)
    home = os.environ['HOME']
    assert fakeconda.first_writable_envs_dir() == os.path.join(root, 'envs')
    assert fakeconda.first_writable_pkgs_dir() == os.path.join(root, 'pkgs')
    assert not os.path.exists(os.path.join(root, 'envs')), 'finding the dir makes nothing'
    # ROOT writable, but an existing ROOT/envs that is not
    os.mkdir(os.path.join(root, 'envs'))
    member_of(root, fakeconda, monkeypatch, denied=os.path.join(root, 'envs'))
    assert fakeconda.first_writable_envs_dir() == os.path.join(home, '.conda', 'envs')
    assert fakeconda.first_writable_pkgs_dir() == os.path.join(root, 'pkgs')
    member_of(root, fakeconda, monkeypatch)
    assert fakeconda.first_writable_pkgs_dir() == os.path.join(home, '.conda', 'pkgs')
    assert not os.path.exists(os.path.join(home, '.conda'))
    # nothing writable at all
    member_of(root, fakeconda, monkeypatch, denied=os.path.dirname(os.path.dirname(root)))
    with pytest.raises(fakeconda.CondaError) as exc:
        fakeconda.first_writable_envs_dir()
    assert exc.value.name == 'NoWritableEnvsDirError' and exc.value.fields['envs_dirs'] == fakeconda.envs_dirs()
    with pytest.raises(fakeconda.CondaError) as exc:
        fakeconda.first_writable_pkgs_dir()
    assert exc.value.name == 'NoWritablePkgsDirError'


def test_named_env_goes_to_root_envs_when_writable(root):
    """Unchanged for whoever may write ROOT (root on a shared ROOT): ROOT/envs/NAME."""
    home = os.environ['HOME']
    result = conda_json(root, 'create', '--yes', '--json', '-n', 'mine', 'python')
    prefix = os.path.join(root, 'envs', 'mine')
    assert result['prefix'] == prefix and os.path.isfile(os.path.join(prefix, 'conda-meta', 'history'))
    with open(os.path.join(home, '.conda', 'environments.txt')) as fh:
        assert fh.read().splitlines() == [prefix]
    assert not os.path.exists(os.path.join(home, '.conda', 'envs'))
    envs = conda_json(root, 'env', 'list', '--json')
    assert envs['envs'] == [root, prefix] and envs['envs_details'][prefix]['name'] == 'mine'
    assert 'python' in c.parse_package_list(conda_json(root, 'list', '-n', 'mine', '--json'))
    nothing = c.parse_result(conda_json(root, 'install', '--yes', '--json', '-n', 'mine', 'python'))
    assert nothing['nothing_to_do']
    info = conda_json(root, 'info', '--json')
    assert info['pkgs_dirs'] == [os.path.join(root, 'pkgs'), os.path.join(home, '.conda', 'pkgs')]


def test_member_of_a_root_owned_root_gets_named_envs_in_home(root, fakeconda, monkeypatch, capsys):
    """A member who may not write ROOT: `conda create -n mine` makes ~/.conda/envs/mine,
    registered in ~/.conda/environments.txt and found by name; the shared environments
    are EnvironmentNotWritableError; nothing is written under ROOT."""
    shared = os.path.join(root, 'envs', 'shared')
    conda_json(root, 'create', '--yes', '--json', '-n', 'shared', 'python')  # by root
    home = os.environ['HOME']
    member_of(root, fakeconda, monkeypatch)
    before = tree(root)

    prefix = os.path.join(home, '.conda', 'envs', 'mine')
    dry = in_process(fakeconda, capsys, 'create', '--yes', '--json', '--dry-run', '-n', 'mine', 'python')
    assert dry['prefix'] == prefix and not os.path.exists(prefix)
    made = in_process(fakeconda, capsys, 'create', '-n', 'mine', 'python', '-y', '--json')
    assert made['prefix'] == prefix and os.path.isfile(os.path.join(prefix, 'conda-meta', 'history'))
    with open(os.path.join(home, '.conda', 'environments.txt')) as fh:
        assert prefix in fh.read().splitlines()
    envs = in_process(fakeconda, capsys, 'env', 'list', '--json')
    assert envs['envs'] == [root, shared, prefix]
    assert envs['envs_details'][prefix]['name'] == 'mine' and envs['envs_details'][shared]['writable'] is False
    assert 'python' in c.parse_package_list(in_process(fakeconda, capsys, 'list', '-n', 'mine', '--json'))
    nothing = c.parse_result(in_process(fakeconda, capsys, 'install', '-n', 'mine', 'python', '-y', '--json'))
    assert nothing['nothing_to_do']
    info = in_process(fakeconda, capsys, 'info', '--json')
    assert info['envs_dirs'] == [os.path.join(root, 'envs'), os.path.join(home, '.conda', 'envs')]
    assert info['root_writable'] is False

    # the shared environments: conda's EnvironmentNotWritableError before anything changes
    for args in (('install', '-n', 'shared', 'python'), ('remove', '-n', 'shared', 'pip'),
                 ('remove', '--all', '-n', 'shared'), ('create', '-n', 'shared', 'python')):
        data = in_process(fakeconda, capsys, *(args + ('--yes', '--json')), rc=1)
        assert data['exception_name'] == 'EnvironmentNotWritableError', args
        assert data['environment_location'] == shared
    data = in_process(fakeconda, capsys, 'create', '--yes', '--json', '-p', os.path.join(root, 'envs', 'other'),
                      'python', rc=1)
    assert data['exception_name'] == 'NotWritableError' and data['path'] == os.path.join(root, 'envs', 'other')
    assert tree(root) == before, 'nothing written under ROOT'

    removed = c.parse_result(in_process(fakeconda, capsys, 'remove', '--all', '-n', 'mine', '-y', '--json'))
    assert any(r.startswith('python==') for r in removed['removed']) and not os.path.exists(prefix)
    with open(os.path.join(home, '.conda', 'environments.txt')) as fh:
        assert prefix not in fh.read().splitlines()
    assert tree(root) == before


def test_member_creates_from_an_explicit_file_with_the_scratch_venv_in_home(root, fakeconda, monkeypatch, capsys, tmp_path):
    """create --file with @EXPLICIT plans in a scratch venv: in ~/.conda/pkgs (conda's
    package cache for a user who may not write ROOT/pkgs), never under ROOT."""
    home = os.environ['HOME']
    member_of(root, fakeconda, monkeypatch)
    before = tree(root)
    in_process(fakeconda, capsys, 'create', '--yes', '--json', '-n', 'source', 'python')
    assert fakeconda.main(['list', '--explicit', '--md5', '-n', 'source']) == 0
    lock = tmp_path / 'lock.txt'
    lock.write_text(capsys.readouterr().out)
    made = in_process(fakeconda, capsys, 'create', '--yes', '--json', '-n', 'copy', '--file', str(lock))
    assert made['prefix'] == os.path.join(home, '.conda', 'envs', 'copy')
    assert os.path.isfile(os.path.join(home, '.conda', 'pkgs', '.fakeconda-scratch', 'bin', 'python'))
    assert tree(root) == before, 'nothing written under ROOT'
