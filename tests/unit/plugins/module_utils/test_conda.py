# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of plugins/module_utils/conda.py.

The JSON fixtures are shaped after conda's own sources (conda/conda, 26.x); each
names the file it comes from. Channel URLs use the reserved .invalid domain.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json
import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import conda as c

ROOT = '/opt/conda'

# conda/cli/main_info.py (InfoRenderer._info_dict_envs_details, conda >= 25.11):
# `conda env list --json` -> {"envs": [...], "envs_details": {prefix: {...}}}
ENV_LIST_NEW = {
    'envs': [ROOT, ROOT + '/envs/analysis', '/srv/envs/geo'],
    'envs_details': {
        ROOT: {'name': 'base', 'created': None, 'last_modified': None, 'active': False,
               'base': True, 'frozen': False, 'writable': True},
        ROOT + '/envs/analysis': {'name': 'analysis', 'created': None, 'last_modified': None,
                                  'active': False, 'base': False, 'frozen': False, 'writable': True},
        '/srv/envs/geo': {'name': '', 'created': None, 'last_modified': None,
                          'active': False, 'base': False, 'frozen': False, 'writable': True},
    },
}
# conda/cli/main_env_list.py before 25.11: {"envs": list_all_known_prefixes()}
ENV_LIST_OLD = {'envs': [ROOT, ROOT + '/envs/analysis', '/srv/envs/geo']}
# conda/cli/main_info.py get_info_dict(): root_prefix, envs_dirs, conda_version, ...
INFO = {'conda_version': '24.9.2', 'root_prefix': ROOT, 'conda_prefix': ROOT,
        'envs_dirs': [ROOT + '/envs', '/root/.conda/envs'], 'platform': 'linux-64'}

# conda/models/records.py PackageRecord.dist_fields_dump(), what `conda list --json` prints
LIST = [
    {'base_url': 'https://conda.example.invalid/conda-forge', 'build_number': 0,
     'build_string': 'py312h1234_0', 'channel': 'conda-forge', 'dist_name': 'numpy-1.26.4-py312h1234_0',
     'name': 'numpy', 'platform': 'linux-64', 'version': '1.26.4'},
    {'base_url': 'https://conda.example.invalid/conda-forge', 'build_number': 1,
     'build_string': 'h12345_1_cpython', 'channel': 'conda-forge',
     'dist_name': 'python-3.12.7-h12345_1_cpython', 'name': 'python', 'platform': 'linux-64',
     'version': '3.12.7'},
    {'base_url': 'https://pypi.example.invalid', 'build_number': 0, 'build_string': 'pypi_0',
     'channel': 'pypi', 'dist_name': 'rich-13.9.4-pypi_0', 'name': 'rich', 'platform': 'pypi',
     'version': '13.9.4'},
]


def installed():
    return c.parse_package_list(LIST)


# ------------------------------------------------------------------ executable

def test_find_executable_explicit_path():
    assert c.find_executable('/x/bin/conda', is_exe=lambda p: p == '/x/bin/conda') == '/x/bin/conda'


def test_find_executable_prefix_given():
    exe = c.find_executable('/opt/mf', is_exe=lambda p: p == '/opt/mf/bin/mamba')
    assert exe == '/opt/mf/bin/mamba'


def test_find_executable_default_prefixes_before_path():
    exe = c.find_executable(None, is_exe=lambda p: p == '/opt/miniforge3/bin/conda',
                            path_lookup=lambda n: '/usr/bin/' + n)
    assert exe == '/opt/miniforge3/bin/conda'


def test_find_executable_falls_back_to_path():
    exe = c.find_executable(None, is_exe=lambda p: False,
                            path_lookup=lambda n: '/usr/local/bin/micromamba' if n == 'micromamba' else None)
    assert exe == '/usr/local/bin/micromamba'


def test_find_executable_missing():
    with pytest.raises(c.CondaError, match='no conda executable'):
        c.find_executable(None, is_exe=lambda p: False, path_lookup=lambda n: None)
    with pytest.raises(c.CondaError, match='not found at /nope'):
        c.find_executable('/nope/conda', is_exe=lambda p: False)


@pytest.mark.parametrize('text, version', [
    ('conda 26.1.0\n', '26.1.0'),  # conda --version (conda/cli/conda_argparse.py)
    ('2.0.5\n', '2.0.5'),  # micromamba --version
    ('', None),
])
def test_parse_version_output(text, version):
    assert c.parse_version_output(text) == version


def test_load_json_skips_noise():
    assert c.load_json('==> WARNING: something <==\n{"a": 1}\n') == {'a': 1}
    with pytest.raises(c.CondaError):
        c.load_json('no json at all')


# ------------------------------------------------------------------ environments

def test_list_envs_new_format():
    envs = c.list_envs(ENV_LIST_NEW, INFO)
    assert envs == [
        {'name': 'base', 'prefix': ROOT, 'is_base': True},
        {'name': 'analysis', 'prefix': ROOT + '/envs/analysis', 'is_base': False},
        {'name': None, 'prefix': '/srv/envs/geo', 'is_base': False},
    ]


def test_list_envs_old_format_names_from_envs_dirs():
    assert c.list_envs(ENV_LIST_OLD, INFO) == c.list_envs(ENV_LIST_NEW, INFO)


def test_list_envs_without_info_uses_details():
    envs = c.list_envs(ENV_LIST_NEW)
    assert envs[0]['is_base'] and envs[0]['name'] == 'base'
    assert envs[1]['name'] == 'analysis'


def test_resolve_env_by_name_and_prefix():
    envs = c.list_envs(ENV_LIST_OLD, INFO)
    env, prefix = c.resolve_env(envs, name='analysis', info=INFO, exists=lambda p: False)
    assert prefix == ROOT + '/envs/analysis' and env['name'] == 'analysis'
    env, prefix = c.resolve_env(envs, prefix='/srv/envs/geo/', info=INFO, exists=lambda p: False)
    assert prefix == '/srv/envs/geo' and env['name'] is None
    env, prefix = c.resolve_env(envs, name='base', info=INFO, exists=lambda p: False)
    assert env['is_base'] and prefix == ROOT


def test_resolve_env_missing_name_goes_to_first_envs_dir():
    envs = c.list_envs(ENV_LIST_OLD, INFO)
    env, prefix = c.resolve_env(envs, name='new', info=INFO, exists=lambda p: False)
    assert env is None and prefix == ROOT + '/envs/new'


@pytest.mark.parametrize('name', ['../../etc', 'my env', 'a:b', 'x#1', '..', '.', 'tab\there'])
def test_resolve_env_refuses_names_conda_refuses(name):
    envs = c.list_envs(ENV_LIST_OLD, INFO)
    with pytest.raises(c.CondaError) as err:
        c.resolve_env(envs, name=name, info=INFO, exists=lambda p: False)
    assert 'invalid environment name %r' % name in err.value.message
    assert err.value.exception_name == 'CondaValueError'


@pytest.mark.parametrize('name', ['analysis', 'dev-default', 'py3.12_gpu', 'Geo'])
def test_validate_env_name_accepts_conda_names(name):
    assert c.validate_env_name(name) == name


def test_resolve_env_unregistered_prefix_that_exists():
    envs = c.list_envs(ENV_LIST_OLD, INFO)
    env, prefix = c.resolve_env(envs, prefix='/data/env', info=INFO, exists=lambda p: p == '/data/env')
    assert env == {'name': None, 'prefix': '/data/env', 'is_base': False}


def test_resolve_env_needs_exactly_one():
    with pytest.raises(c.CondaError):
        c.resolve_env([], name='a', prefix='/b')
    with pytest.raises(c.CondaError):
        c.resolve_env([])


# ------------------------------------------------------------------ packages and specs

def test_parse_package_list():
    pkgs = installed()
    assert pkgs['numpy'] == {'name': 'numpy', 'version': '1.26.4', 'build': 'py312h1234_0',
                             'channel': 'conda-forge'}
    assert c.package_lines(pkgs) == ['numpy==1.26.4', 'python==3.12.7', 'rich==13.9.4']


def test_parse_package_list_error_object():
    # `conda list -p MISSING --json` prints an error object (conda/exceptions.py
    # EnvironmentLocationNotFound via CondaError.dump_map)
    with pytest.raises(c.CondaError, match='Not a conda environment'):
        c.parse_package_list({'exception_name': 'EnvironmentLocationNotFound',
                              'message': 'Not a conda environment: /x', 'caused_by': 'None'})


@pytest.mark.parametrize('a, b', [
    ('1.1dev1', '1.1a1'), ('1.1a1', '1.1b1'), ('1.1b1', '1.1rc1'), ('1.1rc1', '1.1'),
    ('1.1', '1.1.post1'), ('1.9', '1.10'), ('1.0', '1!0.1'), ('1.2', '1.2+local1'),
    ('2.0.0', '2.0.1'), ('1.26.4', '2.0'),
])
def test_version_order(a, b):
    assert c.Version(a) < c.Version(b)
    assert c.Version(b) > c.Version(a)


# The order documented in conda's VersionOrder docstring (conda/models/version.py),
# without its openssl-style trailing underscore case; "==" marks equal neighbours.
CONDA_ORDER = ['0.4', '0.4.1.rc', '==0.4.1.RC', '0.4.1', '0.5a1', '0.5b3', '0.5C1', '0.5', '0.9.6',
               '0.960923', '1.0', '1.1dev1', '1.1a1', '1.1.0dev1', '==1.1.dev1', '1.1.a1', '1.1.0rc1',
               '1.1.0', '==1.1', '1.1.0post1', '==1.1.post1', '1.1post1', '1996.07.12', '1!0.4.1',
               '1!3.1.1.6', '2!0.4.1']


def test_version_order_documented_by_conda():
    for prev, item in zip(CONDA_ORDER, CONDA_ORDER[1:]):
        left, right = c.Version(prev.lstrip('=')), c.Version(item.lstrip('='))
        if item.startswith('=='):
            assert left == right, (prev, item)
        else:
            assert left < right, (prev, item)


def test_version_equal_with_trailing_zeros():
    assert c.Version('1.1') == c.Version('1.1.0')
    assert c.Version('1.1_0') == c.Version('1.1.0')


@pytest.mark.parametrize('spec, ok', [
    ('numpy', True),
    ('numpy=1.26', True), ('numpy=1.26.4', True), ('numpy=1.2', False), ('numpy=1', True),
    ('numpy==1.26.4', True), ('numpy==1.26', False), ('numpy==1.26.4.0', True),
    ('numpy>=1.26', True), ('numpy>=1.26,<2', True), ('numpy>=2', False), ('numpy<1.26.4', False),
    ('numpy<=1.26.4', True), ('numpy>1.26', True), ('numpy!=1.26.4', False),
    ('numpy>=2|<1.27', True), ('numpy>=2|<1.0', False), ('numpy ~=1.26.0', True),
    ('numpy 1.26.*', True), ('numpy 1.2*', False), ('numpy=1.26.*', True), ('numpy==1.26.*', True),
    ('numpy >=1.20, <2.0', True),
    ('numpy=1.26.4=py312h1234_0', True), ('numpy=1.26.4=py312*', True), ('numpy=1.26.4=py311*', False),
    ('numpy 1.26.4 py312*', True), ('numpy=1.26=py312*', False),
    ('conda-forge::numpy', True), ('pkgs/main::numpy', False), ('conda-forge::numpy>=1.26', True),
    ("numpy[version='>=1.26,<2']", True), ('numpy[build=py311*]', False),
    ('scipy', False),
])
def test_match_spec(spec, ok):
    parsed = c.MatchSpec(spec)
    assert parsed.name in ('numpy', 'scipy')
    assert parsed.match(installed().get(parsed.name)) is ok


def test_match_spec_channel_url_and_name():
    rec = {'name': 'x', 'version': '1', 'build': '0', 'channel': 'https://conda.example.invalid/conda-forge'}
    assert c.MatchSpec('conda-forge::x').match(rec)
    assert not c.MatchSpec('bioconda::x').match(rec)


@pytest.mark.parametrize('bad', ['', '>=1', 'numpy >=', 'numpy 1 2 3'])
def test_match_spec_invalid(bad):
    with pytest.raises(c.CondaError):
        c.MatchSpec(bad)


@pytest.mark.parametrize('bad', ['numpy>>1', 'numpy<<2', 'numpy>=1,,<2', 'numpy==1.2;', "numpy[version='>>1']"])
def test_match_spec_refuses_malformed_versions(bad):
    with pytest.raises(c.CondaError) as err:
        c.MatchSpec(bad)
    assert 'invalid conda match spec %r' % bad in err.value.message
    assert 'is not a version constraint' in err.value.message


def test_match_spec_name_only():
    assert c.MatchSpec('numpy').is_name_only
    assert not c.MatchSpec('numpy=1').is_name_only
    assert not c.MatchSpec('conda-forge::numpy').is_name_only


def test_fast_path():
    assert c.specs_satisfied(installed(), ['numpy>=1.26', 'python=3.12'])
    assert c.unsatisfied_specs(installed(), ['numpy>=1.26', 'python=3.11', 'pandas']) == ['python=3.11', 'pandas']


@pytest.mark.parametrize('spec, ok', [
    ('rich', True), ('Rich', True), ('rich==13.9.4', True), ('rich>=13', True), ('rich>=14', False),
    ('rich>=13,<14', True), ('rich[jupyter]>=13', True), ('rich~=13.9', True), ('rich!=13.9.4', False),
    ('rich===13.9.4', True), ('other', False), ('rich @ https://example.invalid/rich.whl', False),
    ('rich; python_version > "3"', False),
])
def test_pip_spec_satisfied(spec, ok):
    pip = c.parse_pip_list([{'name': 'rich', 'version': '13.9.4'}, {'name': 'typing_extensions',
                                                                    'version': '4.12.2'}])
    assert c.pip_spec_satisfied(pip, spec) is ok
    assert c.pip_spec_satisfied(pip, 'typing-extensions>=4')


def test_diff_packages():
    before = installed()
    after = dict(before)
    after['numpy'] = dict(before['numpy'], version='2.1.3')
    after['pandas'] = {'name': 'pandas', 'version': '2.2.3', 'build': '0', 'channel': ''}
    del after['rich']
    added, removed, changed = c.diff_packages(before, after)
    assert added == ['pandas==2.2.3']
    assert removed == ['rich==13.9.4']
    assert changed == [{'name': 'numpy', 'before': '1.26.4', 'after': '2.1.3'}]


# ------------------------------------------------------------------ commands

def test_commands():
    exe, p = '/opt/conda/bin/conda', '/opt/conda/envs/a'
    assert c.create_cmd(exe, p, ['numpy=1.26'], ['conda-forge'], True) == [
        exe, 'create', '--yes', '--json', '-p', p, '-c', 'conda-forge', '--override-channels', '--', 'numpy=1.26']
    assert c.install_cmd(exe, p, ['x'], dry_run=True) == [
        exe, 'install', '--yes', '--json', '-p', p, '--dry-run', '--', 'x']
    assert c.update_cmd(exe, p, ['x']) == [exe, 'update', '--yes', '--json', '-p', p, '--', 'x']
    assert c.remove_cmd(exe, p) == [exe, 'remove', '--all', '--yes', '--json', '-p', p]
    assert c.clone_cmd(exe, p, '/opt/conda/envs/b') == [exe, 'create', '--yes', '--json', '-p', p,
                                                        '--clone', '/opt/conda/envs/b']
    assert c.env_create_cmd(exe, p, '/e.yml') == [exe, 'env', 'create', '--json', '-p', p, '-f', '/e.yml']
    assert c.env_update_cmd(exe, p, '/e.yml') == [exe, 'env', 'update', '--json', '-p', p, '-f', '/e.yml',
                                                  '--prune']
    assert c.list_cmd(exe, p) == [exe, 'list', '-p', p, '--json']
    assert c.pip_install_cmd(p, ['rich>=13']) == [p + '/bin/python', '-m', 'pip', 'install',
                                                  '--disable-pip-version-check', '--no-input', '--', 'rich>=13']
    assert c.pip_list_cmd(p)[:4] == [p + '/bin/python', '-m', 'pip', 'list']


# ------------------------------------------------------------------ results

def _prec(name, version, build='0'):
    # conda/models/records.py dist_fields_dump(), used for LINK/UNLINK by
    # conda/cli/common.py stdout_json_success()
    return {'base_url': 'https://conda.example.invalid/conda-forge', 'build_number': 0, 'build_string': build,
            'channel': 'conda-forge', 'dist_name': '%s-%s-%s' % (name, version, build), 'name': name,
            'platform': 'linux-64', 'version': version}


def test_parse_result_install():
    # conda/cli/install.py handle_txn(): stdout_json_success(prefix=..., actions=...)
    data = {'success': True, 'prefix': '/p', 'actions': {
        'FETCH': [_prec('numpy', '2.1.3'), _prec('pandas', '2.2.3')],
        'LINK': [_prec('numpy', '2.1.3'), _prec('pandas', '2.2.3')],
        'UNLINK': [_prec('numpy', '1.26.4'), _prec('rich', '13.9.4')],
        'PREFIX': '/p'}}
    result = c.parse_result(data)
    assert result['added'] == ['pandas==2.2.3']
    assert result['removed'] == ['rich==13.9.4']
    assert result['changed'] == [{'name': 'numpy', 'before': '1.26.4', 'after': '2.1.3'}]
    assert result['fetch'] == ['numpy', 'pandas']
    assert not result['dry_run'] and not result['nothing_to_do']


def test_parse_result_dry_run():
    # conda/cli/install.py: stdout_json_success(prefix=prefix, actions=actions, dry_run=True)
    data = {'success': True, 'dry_run': True, 'prefix': '/p',
            'actions': {'LINK': [_prec('pandas', '2.2.3')], 'PREFIX': '/p'}}
    result = c.parse_result(json.loads(json.dumps(data)))
    assert result['dry_run'] and result['added'] == ['pandas==2.2.3']


def test_parse_result_nothing_to_do():
    # conda/cli/install.py: stdout_json_success(message="All requested packages already installed.")
    result = c.parse_result({'success': True, 'message': 'All requested packages already installed.'})
    assert result['nothing_to_do'] and result['added'] == [] and result['changed'] == []


def test_parse_result_legacy_dist_strings():
    # conda < 4.4 printed "channel::name-version-build" strings in LINK/UNLINK
    result = c.parse_result({'success': True, 'actions': {'LINK': ['conda-forge::six-1.16.0-py_0']}})
    assert result['added'] == ['six==1.16.0']


def test_parse_result_rejects_error():
    with pytest.raises(c.CondaError):
        c.parse_result({'exception_name': 'CondaValueError', 'message': 'nope', 'error': 'x'})


# ------------------------------------------------------------------ errors
# CondaError.dump_map() (conda/__init__.py): exception_type, exception_name, message, error,
# caused_by, plus the keyword arguments each exception passes (conda/exceptions.py).

CHANNELS = ['https://conda.example.invalid/conda-forge/linux-64',
            'https://conda.example.invalid/conda-forge/noarch']


def _err(name, message, **kwargs):
    data = {'exception_type': "<class 'conda.exceptions.%s'>" % name, 'exception_name': name,
            'message': message, 'error': '%s(%r)' % (name, message), 'caused_by': 'None'}
    data.update(kwargs)
    return data


@pytest.mark.parametrize('name', ['PackagesNotFoundError', 'PackagesNotFoundInChannelsError'])
def test_error_not_found_in_channels(name):
    # PackagesNotFoundError(packages, channel_urls): packages, packages_formatted, channel_urls,
    # channels_formatted; conda 26.3 raises the PackagesNotFoundInChannelsError subclass
    data = _err(name, 'The following packages are not available from current channels:\n  - nopkg\n',
                packages=['nopkg', 'other=1'], packages_formatted='\n  - nopkg', channel_urls=CHANNELS,
                channels_formatted='...')
    err = c.error_from_json(data)
    assert err.exception_name == name
    assert err.packages == ['nopkg', 'other=1'] and err.channels == CHANNELS
    assert err.message == 'packages not found: nopkg, other=1; channels searched: ' + ', '.join(CHANNELS)


def test_error_package_not_installed():
    # PackageNotInstalledError(prefix, package_name) -> prefix, package_name, packages_formatted
    data = _err('PackageNotInstalledError', 'Package is not installed in prefix.\n',
                prefix='/opt/conda/envs/a', package_name='numpy', packages_formatted='')
    assert c.parse_error(data) == 'packages not installed in /opt/conda/envs/a: numpy'


def test_error_packages_not_found_in_prefix():
    # PackagesNotFoundInPrefixError(packages, prefix) -> PackageNotInstalledError with a list
    data = _err('PackagesNotFoundInPrefixError', 'The following packages are missing ...',
                prefix='/p', package_name=['a', 'b'], packages_formatted='\n  - a\n  - b')
    err = c.error_from_json(data)
    assert err.message == 'packages not installed in /p: a, b' and err.packages == ['a', 'b']


def test_error_resolve_package_not_found():
    # ResolvePackageNotFound(bad_deps): bad_deps is a flat tuple of MatchSpecs
    data = _err('ResolvePackageNotFound', '\n  - foo=9\n', bad_deps=['foo=9'])
    assert c.parse_error(data) == 'packages not found: foo=9'


def test_error_unsatisfiable():
    data = _err('UnsatisfiableError', 'The following specifications were found to be incompatible: ...')
    assert 'conflict' in c.parse_error(data) and 'incompatible' in c.parse_error(data)


def test_error_multi():
    # CondaMultiError.dump_map(): errors=(each.dump_map(), ...), error="Multiple Errors Encountered."
    data = {'exception_type': "<class 'conda.CondaMultiError'>", 'exception_name': 'CondaMultiError',
            'error': 'Multiple Errors Encountered.',
            'errors': [_err('PackagesNotFoundError', 'm', packages=['a'], channel_urls=CHANNELS[:1]),
                       _err('CondaHTTPError', 'HTTP 000 CONNECTION FAILED', url='https://x.invalid')]}
    err = c.error_from_json(data)
    assert err.exception_name == 'CondaMultiError'
    assert err.packages == ['a'] and err.channels == CHANNELS[:1]
    assert 'packages not found: a' in err.message and 'CondaHTTPError: HTTP 000' in err.message


def test_error_caused_by_and_generic():
    data = _err('CondaValueError', 'bad value')
    data['caused_by'] = "OSError('disk')"
    assert c.parse_error(data) == "CondaValueError: bad value (caused by OSError('disk'))"


def test_error_from_output_text_and_json():
    err = c.error_from_output(1, '', 'conda: command crashed\n')
    assert 'exit code 1' in err.message and 'crashed' in err.message
    out = json.dumps(_err('CondaValueError', 'x'))
    assert c.error_from_output(1, out, '').exception_name == 'CondaValueError'


def test_file_digest_and_hash_path():
    assert c.file_digest('a') == c.file_digest(b'a')
    assert c.hash_path('/p') == os.path.join('/p', 'conda-meta', 'teamhub-environment.sha256')


# ------------------------------------------------------------------ option injection

@pytest.mark.parametrize('bad', ['--x::pkg', '-c::numpy', '--override-channels', '-n', ' --yes',
                                 'numpy\n', 'numpy\n--yes', '::numpy'])
def test_match_spec_refuses_what_conda_would_read_as_an_option(bad):
    with pytest.raises(c.CondaError, match='invalid conda match spec'):
        c.MatchSpec(bad)


@pytest.mark.parametrize('bad', ['--index-url=https://evil.example/simple', '-e', '-r requirements.txt',
                                 ' --pre', '', 'rich\n', 'rich\n--index-url=x'])
def test_pip_requirements_that_pip_would_read_as_options_are_refused(bad):
    with pytest.raises(c.CondaError, match='invalid pip requirement'):
        c.check_pip_spec(bad)


@pytest.mark.parametrize('good', ['rich', 'rich>=13', 'pandas[excel]==2.2.3', 'pkg @ https://x/y.whl'])
def test_pip_requirements_pass(good):
    assert c.check_pip_spec(good) == good


def test_specs_follow_an_end_of_options_marker():
    exe, p = '/opt/conda/bin/conda', '/opt/conda/envs/a'
    for cmd in (c.create_cmd(exe, p, ['a', 'b']), c.install_cmd(exe, p, ['a', 'b']), c.update_cmd(exe, p, ['a', 'b'])):
        assert cmd[-3:] == ['--', 'a', 'b']
    assert c.pip_install_cmd(p, ['a', 'b'])[-3:] == ['--', 'a', 'b']


@pytest.mark.parametrize('bad', ['1.2\n', '>=1\n', '1.2\n3'])
def test_version_constraints_match_whole_strings(bad):
    with pytest.raises(c.CondaError):
        c.MatchSpec('numpy[version="%s"]' % bad)


# ------------------------------------------------------------------ client

EXE = ROOT + '/bin/conda'


class Runner:
    """Stands in for AnsibleModule.run_command: answers from a table, records the calls."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def __call__(self, cmd, check_rc=True, environ_update=None):
        assert isinstance(cmd, list) and check_rc is False
        self.calls.append((cmd, environ_update))
        key = tuple(cmd[1:3])
        answer = self.answers.get(key, self.answers.get(cmd[1]))
        assert answer is not None, cmd
        return answer


def client(answers=None, check_mode=False):
    runner = Runner(answers or {})
    return c.CondaClient(runner, executable=EXE, is_exe=lambda p: p == EXE, check_mode=check_mode), runner


def test_client_locates_conda_once():
    found, runner = client()
    assert found.exe == EXE and runner.calls == [] and found.commands == []
    with pytest.raises(c.CondaError, match='no conda executable'):
        c.CondaClient(Runner({}), is_exe=lambda p: False, path_lookup=lambda n: None)


def test_client_reads():
    found, runner = client({
        '--version': (0, 'conda 24.9.2\n', ''),
        'info': (0, json.dumps(INFO), ''),
        ('env', 'list'): (0, 'a warning first\n' + json.dumps(ENV_LIST_OLD), ''),
        'list': (0, json.dumps(LIST), ''),
    })
    assert found.version() == '24.9.2'
    info = found.info()
    assert [e['name'] for e in found.envs(info)] == ['base', 'analysis', None]
    assert sorted(found.packages(ROOT + '/envs/analysis')) == ['numpy', 'python', 'rich']
    assert [call[0] for call in runner.calls] == [
        [EXE, '--version'], c.info_cmd(EXE), c.env_list_cmd(EXE), c.list_cmd(EXE, ROOT + '/envs/analysis')]
    # reads are not part of the cmd return value; every command gets the same environment
    assert found.commands == []
    assert all(call[1] == c.COMMAND_ENVIRON for call in runner.calls)
    assert runner.calls[0][1] is not c.COMMAND_ENVIRON


def test_client_failure_carries_condas_message():
    failure = _err('PackagesNotFoundError', 'The following packages are not available',
                   packages=['nopkg'], channel_urls=CHANNELS)
    found, runner = client({'install': (1, json.dumps(failure), '')})
    with pytest.raises(c.CondaError) as exc:
        found.run(c.install_cmd(EXE, '/p', ['nopkg']))
    assert exc.value.exception_name == 'PackagesNotFoundError'
    assert exc.value.packages == ['nopkg'] and exc.value.channels == CHANNELS
    assert 'packages not found: nopkg' in exc.value.message
    assert found.commands == ["%s install --yes --json -p /p -- nopkg" % EXE]


def test_client_failure_without_json_keeps_stderr():
    found, runner = client({'info': (2, '', 'conda: error: unrecognized arguments\n')})
    with pytest.raises(c.CondaError, match='exit code 2: conda: error: unrecognized arguments'):
        found.info()
    assert found.run([EXE, 'info'], check_rc=False) == (2, '', 'conda: error: unrecognized arguments\n')


def test_client_output_that_is_not_json():
    found, runner = client({'info': (0, 'Traceback (most recent call last)', '')})
    with pytest.raises(c.CondaError, match='did not print JSON'):
        found.info()


def test_client_solve():
    done = {'success': True, 'prefix': '/p', 'actions': {'LINK': [_prec('six', '1.16.0')], 'PREFIX': '/p'}}
    found, runner = client({'install': (0, json.dumps(done), '')})
    result = found.solve(c.install_cmd(EXE, '/p', ['six']))
    assert result['added'] == ['six==1.16.0'] and not result['nothing_to_do']
    assert runner.calls[0][0] == c.install_cmd(EXE, '/p', ['six'])


def test_client_solve_without_json_output():
    found, runner = client({'install': (0, 'Transaction finished\n', '')})
    assert found.solve(c.install_cmd(EXE, '/p', ['six'])) == {'nothing_to_do': False}
    found, runner = client({'install': (0, 'Transaction finished\n', '')}, check_mode=True)
    with pytest.raises(c.CondaError, match='did not print JSON'):
        found.solve(c.install_cmd(EXE, '/p', ['six']))


def test_client_check_mode_plan():
    nothing = {'success': True, 'message': c.NOTHING_TO_DO}
    found, runner = client({'install': (0, json.dumps(nothing), '')}, check_mode=True)
    # a solver command runs as a dry run: --dry-run stays an option, before "--"
    assert found.solve(c.install_cmd(EXE, '/p', ['six']))['nothing_to_do']
    assert runner.calls[0][0] == c.install_cmd(EXE, '/p', ['six'], dry_run=True)
    # a command without a dry run is only planned
    assert found.change(c.remove_cmd(EXE, '/p')) is None
    assert len(runner.calls) == 1
    assert found.commands == [
        '%s install --yes --json -p /p --dry-run -- six' % EXE,
        '%s remove --all --yes --json -p /p' % EXE + c.NOT_RUN,
    ]


def test_client_change_runs_outside_check_mode():
    found, runner = client({'remove': (0, json.dumps({'success': True}), ''),
                            'env': (1, '', 'boom')})
    assert found.change(c.remove_cmd(EXE, '/p'))[0] == 0
    assert found.change(c.env_update_cmd(EXE, '/p', '/e.yml'), check_rc=False) == (1, '', 'boom')
    with pytest.raises(c.CondaError, match='boom'):
        found.change(c.env_update_cmd(EXE, '/p', '/e.yml'))
    assert len(runner.calls) == 3 and not any(cmd.endswith(c.NOT_RUN) for cmd in found.commands)


@pytest.mark.parametrize('cmd, expected', [
    (['conda', 'install', '-p', '/p', '--', 'six'], ['conda', 'install', '-p', '/p', '--dry-run', '--', 'six']),
    (['conda', 'remove', '--all', '-p', '/p'], ['conda', 'remove', '--all', '-p', '/p', '--dry-run']),
    (['conda', 'remove', '--dry-run', '-p', '/p'], ['conda', 'remove', '--dry-run', '-p', '/p']),
])
def test_with_dry_run(cmd, expected):
    assert c.with_dry_run(cmd) == expected


def test_quote_cmd():
    assert c.quote_cmd([EXE, 'install', '--', 'numpy>=1.26', 'six']) == "%s install -- 'numpy>=1.26' six" % EXE
