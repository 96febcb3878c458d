# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""roles/jupyterhub/files/teamhub_kernels.py: a member's own conda environments as
kernels, against fake homes and fake team kernelspecs in tmp_path and the real
jupyter_client (pinned in requirements-dev.txt)."""

import json
import os

import jupyter_core.paths
import pytest
import role_files
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import KernelManager
from traitlets.config import Config


kernels = role_files.load('jupyterhub', 'teamhub_kernels.py', 'teamhub_kernels')


def make_env(prefix, ipykernel=True, conda_meta=True, python=True, kernel_json=True, pyver='python3.12'):
    """A conda environment as `conda create -p prefix python ipykernel` leaves it (the parts that matter)."""
    prefix = str(prefix)
    os.makedirs(os.path.join(prefix, 'lib', pyver, 'site-packages'))
    if conda_meta:
        os.makedirs(os.path.join(prefix, 'conda-meta'))
    if python:
        os.makedirs(os.path.join(prefix, 'bin'))
        with open(os.path.join(prefix, 'bin', 'python'), 'w', encoding='utf-8') as handle:
            handle.write('#!/bin/sh\n')
        os.chmod(os.path.join(prefix, 'bin', 'python'), 0o755)
    if ipykernel:
        os.makedirs(os.path.join(prefix, 'lib', pyver, 'site-packages', 'ipykernel'))
        if kernel_json:
            kernel_dir = os.path.join(prefix, 'share', 'jupyter', 'kernels', 'python3')
            os.makedirs(kernel_dir)
            with open(os.path.join(kernel_dir, 'kernel.json'), 'w', encoding='utf-8') as handle:
                json.dump({'argv': ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
                           'display_name': 'Python 3 (ipykernel)', 'language': 'python',
                           'metadata': {'debugger': True}}, handle)
            with open(os.path.join(kernel_dir, 'logo-64x64.png'), 'wb') as handle:
                handle.write(b'\x89PNG')
    return prefix


def add_team_kernel(kernels_dir, name, display_name):
    kernel_dir = os.path.join(str(kernels_dir), name)
    os.makedirs(kernel_dir)
    with open(os.path.join(kernel_dir, 'kernel.json'), 'w', encoding='utf-8') as handle:
        json.dump({'argv': ['/opt/conda/envs/team/bin/python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
                   'display_name': display_name, 'language': 'python'}, handle)
    return kernel_dir


def list_environments(home, prefixes):
    os.makedirs(os.path.join(str(home), '.conda'), exist_ok=True)
    with open(os.path.join(str(home), '.conda', 'environments.txt'), 'w', encoding='utf-8') as handle:
        handle.write(''.join(f'{prefix}\n' for prefix in prefixes))


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A member's empty home as $HOME, and only tmp_path's team kernels for jupyter_client."""
    member_home = tmp_path / 'home' / 'ada'
    member_home.mkdir(parents=True)
    team = tmp_path / 'share' / 'jupyter'
    (team / 'kernels').mkdir(parents=True)
    monkeypatch.setenv('HOME', str(member_home))
    monkeypatch.setenv('JUPYTER_PATH', str(team))
    monkeypatch.setenv('JUPYTER_DATA_DIR', str(tmp_path / 'data'))
    monkeypatch.setenv('JUPYTER_CONFIG_DIR', str(tmp_path / 'config'))
    monkeypatch.setenv('JUPYTER_RUNTIME_DIR', str(tmp_path / 'runtime'))
    monkeypatch.setenv('IPYTHONDIR', str(tmp_path / 'ipython'))
    monkeypatch.setattr(jupyter_core.paths, 'SYSTEM_JUPYTER_PATH', [str(tmp_path / 'system')])
    monkeypatch.setattr(jupyter_core.paths, 'ENV_JUPYTER_PATH', [str(tmp_path / 'venv')])
    monkeypatch.setattr(jupyter_core.paths.site, 'ENABLE_USER_SITE', False)
    return member_home


@pytest.fixture
def team_kernels(tmp_path, home):
    kernels_dir = tmp_path / 'share' / 'jupyter' / 'kernels'
    add_team_kernel(kernels_dir, 'python3-dev', 'Python 3 (dev default)')
    add_team_kernel(kernels_dir, 'ir-stats', 'R 4.3 (stats)')
    return kernels_dir


def manager(**config):
    """The manager as jupyter_server makes it, with config as c.MemberKernelSpecManager.<key>."""
    ksm = kernels.MemberKernelSpecManager(config=Config({'MemberKernelSpecManager': config}), ensure_native_kernel=False)
    # Only the fake homes' and team's directories in tmp_path (HOME is <tmp_path>/home/ada).
    tmp = os.path.dirname(os.path.dirname(os.environ['HOME']))
    assert all(path.startswith(tmp + os.sep) for path in ksm.kernel_dirs), ksm.kernel_dirs
    return ksm


# --- finding the member's environments ------------------------------------------------

def test_no_conda_at_all_means_no_environments(home):
    assert not kernels.find_member_environments()
    assert not kernels.find_member_environments(str(home / 'missing'))


def test_environments_in_home_with_ipykernel_are_found(tmp_path, home):
    envs = home / '.conda' / 'envs'
    mine = make_env(envs / 'mine')
    make_env(envs / 'noipk', ipykernel=False)
    make_env(envs / 'nometa', conda_meta=False)
    make_env(envs / 'nopython', python=False)
    (envs / 'stray.txt').write_text('not an environment')
    project = make_env(home / 'projects' / 'proj-env', pyver='python3.11')
    team = make_env(tmp_path / 'opt' / 'conda' / 'envs' / 'team')
    os.symlink(team, str(home / 'team-link'))
    list_environments(home, [
        str(tmp_path / 'opt' / 'conda'),  # the team's base, outside home
        team,  # the team's environment: the admin registers it
        str(home / 'team-link'),  # inside home by name only
        mine,  # also in envs/: listed once
        project,
        'relative/env',
        '',
        '   ',
    ])

    found = kernels.find_member_environments()

    assert [env.name for env in found] == ['mine', 'proj-env']
    assert found[0] == kernels.MemberEnvironment('mine', mine, os.path.join(mine, 'bin', 'python'))
    assert found[1].prefix == project


def test_order_is_by_name_whatever_the_listing(home):
    for name in ('zeta', 'alpha', 'Mid'):
        make_env(home / 'work' / name)
    list_environments(home, [str(home / 'work' / name) for name in ('zeta', 'Mid', 'alpha')])

    assert [env.name for env in kernels.find_member_environments()] == ['Mid', 'alpha', 'zeta']


def test_garbage_environments_txt_is_ignored(home):
    make_env(home / '.conda' / 'envs' / 'mine')
    (home / '.conda' / 'environments.txt').write_bytes(b'\x00\xff\xfe garbage\n/\x00nul\n\xc3(\n' + b'x' * 5000 + b'\n')

    assert [env.name for env in kernels.find_member_environments()] == ['mine']


def test_unreadable_conda_files_are_skipped(home):
    (home / '.conda').mkdir()
    (home / '.conda' / 'envs').write_text('a file, not a directory')
    (home / '.conda' / 'environments.txt').mkdir()

    assert not kernels.find_member_environments()


def test_broken_environments_are_skipped(home):
    envs = home / '.conda' / 'envs'
    envs.mkdir(parents=True)
    os.symlink(str(home / 'gone'), str(envs / 'dangling'))
    broken = envs / 'nolib'
    (broken / 'conda-meta').mkdir(parents=True)
    (broken / 'bin').mkdir()
    (broken / 'bin' / 'python').write_text('')
    (broken / 'bin' / 'python').chmod(0o755)
    make_env(envs / 'braces{prefix}')

    assert not kernels.find_member_environments()


def test_kernel_names_are_valid_and_unique():
    assert kernels.kernel_name_for('mine') == 'mine-mine'
    assert kernels.kernel_name_for('My Env') == 'mine-my-env'
    assert kernels.kernel_name_for('Données') == 'mine-donn-es'
    assert kernels.kernel_name_for('py3.12_x') == 'mine-py3.12_x'
    assert kernels.kernel_name_for('***') == 'mine-env'

    envs = [kernels.MemberEnvironment(name, f'/h/{name}', f'/h/{name}/bin/python') for name in ('a b', 'a-b', 'A-B', 'c')]
    named = kernels.assign_kernel_names(envs, taken=['Mine-C'])

    assert list(named) == ['mine-a-b', 'mine-a-b-2', 'mine-a-b-3', 'mine-c-2']
    assert [env.name for env in named.values()] == ['a b', 'a-b', 'A-B', 'c']


# --- the kernel spec manager ----------------------------------------------------------

def test_team_kernels_first_and_unchanged_then_the_members(home, team_kernels):
    make_env(home / '.conda' / 'envs' / 'mine')
    make_env(home / '.conda' / 'envs' / 'clash')
    team_clash = add_team_kernel(team_kernels, 'mine-clash', 'Clash (team)')
    plain = KernelSpecManager(ensure_native_kernel=False).find_kernel_specs()

    specs = manager().find_kernel_specs()

    assert list(specs)[:len(plain)] == list(plain)
    assert {name: specs[name] for name in plain} == plain
    assert specs['mine-clash'] == team_clash
    assert specs['mine-mine'] == str(home / '.conda' / 'envs' / 'mine' / 'share' / 'jupyter' / 'kernels' / 'python3')
    assert specs['mine-clash-2'] == str(home / '.conda' / 'envs' / 'clash' / 'share' / 'jupyter' / 'kernels' / 'python3')
    assert sorted(specs) == ['ir-stats', 'mine-clash', 'mine-clash-2', 'mine-mine', 'python3-dev']
    assert manager().get_kernel_spec('mine-clash').display_name == 'Clash (team)'
    assert manager().get_kernel_spec('python3-dev').display_name == 'Python 3 (dev default)'


def test_member_kernel_spec(home, team_kernels):
    prefix = make_env(home / '.conda' / 'envs' / 'mine')

    spec = manager().get_kernel_spec('mine-mine')

    assert spec.argv == [os.path.join(prefix, 'bin', 'python'), '-m', 'ipykernel_launcher', '-f', '{connection_file}']
    assert spec.display_name == 'Your environment: mine'
    assert spec.language == 'python'
    assert spec.metadata == {'debugger': True, 'teamhub': {'own_environment': prefix}}
    assert spec.resource_dir == os.path.join(prefix, 'share', 'jupyter', 'kernels', 'python3')
    assert spec.env['PATH'] == os.path.join(prefix, 'bin') + os.pathsep + '${PATH}'
    assert spec.env['CONDA_PREFIX'] == prefix
    assert manager().get_kernel_spec('MINE-mine').argv == spec.argv


def test_environment_without_its_kernelspec_uses_its_prefix(home, team_kernels):
    prefix = make_env(home / '.conda' / 'envs' / 'bare', kernel_json=False)

    spec = manager().get_kernel_spec('mine-bare')

    assert spec.resource_dir == prefix
    assert spec.metadata == {'teamhub': {'own_environment': prefix}}
    assert manager().find_kernel_specs()['mine-bare'] == prefix


def test_kernel_manager_launches_the_environments_python(home, team_kernels):
    prefix = make_env(home / '.conda' / 'envs' / 'mine')
    kernel_manager = KernelManager(kernel_spec_manager=manager(), kernel_name='mine-mine', connection_file='/run/k.json')

    assert kernel_manager.format_kernel_cmd() == [os.path.join(prefix, 'bin', 'python'), '-m', 'ipykernel_launcher',
                                                  '-f', '/run/k.json']


def test_unknown_kernel_is_still_no_such_kernel(home, team_kernels):
    with pytest.raises(NoSuchKernel):
        manager().get_kernel_spec('mine-nothing')


def test_get_all_specs_has_both(home, team_kernels):
    prefix = make_env(home / '.conda' / 'envs' / 'mine')

    specs = manager().get_all_specs()

    assert sorted(specs) == ['ir-stats', 'mine-mine', 'python3-dev']
    assert specs['python3-dev']['spec']['display_name'] == 'Python 3 (dev default)'
    assert specs['python3-dev']['resource_dir'] == str(team_kernels / 'python3-dev')
    assert specs['mine-mine']['resource_dir'] == os.path.join(prefix, 'share', 'jupyter', 'kernels', 'python3')
    assert specs['mine-mine']['spec']['display_name'] == 'Your environment: mine'
    assert specs['mine-mine']['spec']['argv'][0] == os.path.join(prefix, 'bin', 'python')
    assert specs['mine-mine']['spec']['metadata']['teamhub'] == {'own_environment': prefix}
    json.dumps(specs)  # what /api/kernelspecs sends


def test_switched_off(home, team_kernels):
    make_env(home / '.conda' / 'envs' / 'mine')
    ksm = manager(member_environments=False)

    assert sorted(ksm.find_kernel_specs()) == ['ir-stats', 'python3-dev']
    assert sorted(ksm.get_all_specs()) == ['ir-stats', 'python3-dev']
    with pytest.raises(NoSuchKernel):
        ksm.get_kernel_spec('mine-mine')


def test_display_name_is_configurable(home, team_kernels):
    prefix = make_env(home / '.conda' / 'envs' / 'mine')

    assert manager(member_display_name='{name} (yours)').get_kernel_spec('mine-mine').display_name == 'mine (yours)'
    assert manager(member_display_name='Own: {prefix}').get_kernel_spec('mine-mine').display_name == f'Own: {prefix}'
    assert manager(member_display_name='{nope} {').get_kernel_spec('mine-mine').display_name == 'Your environment: mine'


def test_default_display_name_sorts_after_the_team_kernels():
    # The launcher: default kernel first, the rest by label.localeCompare (ICU: letters
    # compared without case first). casefold() is that closely enough for Latin names.
    label = kernels.DEFAULT_DISPLAY_NAME.format(name='aaa')
    for team in ('Python 3 (dev default)', 'R 4.3 (stats)', 'Julia 1.10', 'Bash', 'Xeus C++ 17', 'Python 3 (ipykernel)'):
        assert team.casefold() < label.casefold()


def test_allowed_kernelspecs_also_limit_the_members(home, team_kernels):
    make_env(home / '.conda' / 'envs' / 'mine')
    make_env(home / '.conda' / 'envs' / 'other')
    ksm = kernels.MemberKernelSpecManager(ensure_native_kernel=False, allowed_kernelspecs={'python3-dev', 'mine-other'})

    assert sorted(ksm.find_kernel_specs()) == ['mine-other', 'python3-dev']
    assert sorted(ksm.get_all_specs()) == ['mine-other', 'python3-dev']


def test_remove_never_touches_an_environment(home, team_kernels):
    prefix = make_env(home / '.conda' / 'envs' / 'mine', kernel_json=False)
    ksm = manager()

    with pytest.raises(KeyError):
        ksm.remove_kernel_spec('mine-mine')

    assert os.path.isdir(os.path.join(prefix, 'conda-meta'))
    assert ksm.member_environments
    assert ksm.remove_kernel_spec('ir-stats') == str(team_kernels / 'ir-stats')


def test_a_failure_while_listing_never_breaks_the_server(home, team_kernels, monkeypatch):
    make_env(home / '.conda' / 'envs' / 'mine')

    def explode(home=None):
        raise RuntimeError(home)

    monkeypatch.setattr(kernels, 'find_member_environments', explode)

    assert sorted(manager().find_kernel_specs()) == ['ir-stats', 'python3-dev']
