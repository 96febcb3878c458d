# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The conda stand-in's helpers: spec translation to pip and environment files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import pytest


@pytest.mark.parametrize('spec, parsed', [
    ('numpy', (None, 'numpy', None)),
    ('numpy=1.26', (None, 'numpy', '1.26.*')),
    ('numpy=1.26.*', (None, 'numpy', '1.26.*')),
    ('numpy=1.26.4=py312*', (None, 'numpy', '1.26.4')),
    ('numpy==1.26.4', (None, 'numpy', '==1.26.4')),
    ('numpy >=1.26,<2', (None, 'numpy', '>=1.26,<2')),
    ('conda-forge::numpy=2', ('conda-forge', 'numpy', '2.*')),
])
def test_parse_spec(fakeconda, spec, parsed):
    assert fakeconda.parse_spec(spec) == parsed


@pytest.mark.parametrize('name, version, requirement', [
    ('numpy', None, 'numpy'),
    ('numpy', '1.26.*', 'numpy==1.26.*'),
    ('numpy', '1.26.4', 'numpy==1.26.4'),
    ('numpy', '==1.26.4', 'numpy==1.26.4'),
    ('numpy', '>=1.26,<2', 'numpy>=1.26,<2'),
    ('numpy', '!=1.26.4', 'numpy!=1.26.4'),
    ('pytorch', '>=2', 'torch>=2'),
    ('matplotlib-base', None, 'matplotlib'),
])
def test_pip_requirement(fakeconda, name, version, requirement):
    assert fakeconda.pip_requirement(name, version) == requirement


def test_pip_requirement_refuses_or(fakeconda):
    with pytest.raises(fakeconda.CondaError) as exc:
        fakeconda.pip_requirement('numpy', '1.26|2.1')
    assert exc.value.name == 'CondaValueError'


@pytest.mark.parametrize('constraint, ok', [
    (None, True), ('3.11.*', True), ('3.*', True), ('3.12.*', False), ('>=3.8', True),
    ('>=3.12', False), ('>=3.8,<3.12', True), ('3.11.7', True), ('3.12.*|3.11.*', True),
])
def test_python_matches(fakeconda, constraint, ok):
    assert fakeconda.python_matches('3.11.7', constraint) is ok


def test_python_spec_not_available_is_packages_not_found(fakeconda):
    with pytest.raises(fakeconda.CondaError) as exc:
        fakeconda.split_specs(['python=2.7', 'six'], ['conda-forge'])
    assert exc.value.name == 'PackagesNotFoundError'
    assert exc.value.fields['packages'] == ['python=2.7']
    assert exc.value.fields['channel_urls'][0].endswith('/conda-forge/linux-64')


def test_read_env_file(fakeconda, tmp_path):
    path = tmp_path / 'environment.yml'
    path.write_text(
        '# the team env\n'
        'name: team\n'
        'channels:\n'
        '  - conda-forge  # first\n'
        '  - defaults\n'
        'dependencies:\n'
        '  - python=3.12\n'
        '  - "numpy>=1.26"\n'
        '  - pip\n'
        '  - pip:\n'
        '      - rich==13.9.4\n'
        '      - tqdm\n'
        '  - pandas\n'
        'variables:\n'
        '  X: "1"\n')
    env = fakeconda.read_env_file(str(path))
    assert env['name'] == 'team'
    assert env['channels'] == ['conda-forge', 'defaults']
    assert env['dependencies'] == ['python=3.12', 'numpy>=1.26', 'pip', 'pandas']
    assert env['pip'] == ['rich==13.9.4', 'tqdm']


def test_read_env_file_inline_lists_and_missing(fakeconda, tmp_path):
    path = tmp_path / 'e.yml'
    path.write_text('channels: [conda-forge]\ndependencies: [python, six]\n')
    env = fakeconda.read_env_file(str(path))
    assert env['channels'] == ['conda-forge'] and env['dependencies'] == ['python', 'six']
    with pytest.raises(fakeconda.CondaError) as exc:
        fakeconda.read_env_file(str(tmp_path / 'nope.yml'))
    assert exc.value.name == 'EnvironmentFileNotFound'
