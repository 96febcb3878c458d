# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The reader of pip locks (the hub venv's, roles/jupyterhub/files/hub-venv.lock.txt)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.filter import pip_lock
from ansible_collections.teamhub.jupyter.plugins.filter.pip_lock import mismatches, normalize, read

HASH_A = 'sha256:' + 'a' * 64
HASH_B = 'sha256:' + 'b' * 64
ROLE_LOCK = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'jupyterhub', 'files',
                         'hub-venv.lock.txt')


def test_a_lock_as_uv_writes_it():
    text = ('# made by uv\n'
            'aiodns==4.0.4 \\\n'
            '    --hash=%s \\\n'
            '    --hash=%s\n'
            '    # via jupyterhub\n'
            "soupsieve==2.10 ; python_full_version < '3.11.5' \\\n"
            '    --hash=%s\n'
            "soupsieve==4.1.4 ; python_full_version >= '3.11.5' \\\n"
            '    --hash=%s\n'
            'Jupyter_Server==2.17.0 --hash %s\n') % (HASH_A, HASH_B, HASH_A, HASH_B, HASH_A)
    assert read(text) == {
        'requirements': ['aiodns==4.0.4', "soupsieve==2.10 ; python_full_version < '3.11.5'",
                         "soupsieve==4.1.4 ; python_full_version >= '3.11.5'", 'Jupyter_Server==2.17.0'],
        'versions': {'aiodns': ['4.0.4'], 'soupsieve': ['2.10', '4.1.4'], 'jupyter-server': ['2.17.0']},
        'problems': [],
    }


@pytest.mark.parametrize('line, problem', [
    ('jupyterhub>=6 --hash=' + HASH_A, "hub.lock line 2: 'jupyterhub>=6' is not one exact version"),
    ('jupyterhub --hash=' + HASH_A, "hub.lock line 2: 'jupyterhub' is not one exact version"),
    ('-e ./src', "hub.lock line 2: '-e ./src' is not one exact version"),
    ('--index-url https://mirror.invalid/simple', "hub.lock line 2: '--index-url https://mirror.invalid/simple' is not"),
    ('jupyterhub==6.1.1', 'hub.lock line 2: jupyterhub has no --hash: a lock hashes every package'),
    ('jupyterhub==6.1.1 --hash=md5:abc', 'hub.lock line 2: jupyterhub takes no pip options but --hash (got --hash=md5:abc)'),
    ('jupyterhub==6.1.1 --hash=%s --no-binary :all:' % HASH_A, 'hub.lock line 2: jupyterhub takes no pip options but --hash'),
    ('jupyterhub @ https://files.invalid/jupyterhub.whl --hash=' + HASH_A, "hub.lock line 2: 'jupyterhub @ https"),
])
def test_anything_but_hashed_exact_versions_is_named_with_its_line(line, problem):
    found = read('aiodns==4.0.4 --hash=%s\n%s\n' % (HASH_A, line), source='hub.lock')
    assert len(found['problems']) == 1
    assert found['problems'][0].startswith(problem)
    assert found['requirements'] == ['aiodns==4.0.4']


@pytest.mark.parametrize('text', ['', '# only a comment\n\n'])
def test_an_empty_lock_is_a_problem(text):
    assert read(text, source='hub.lock')['problems'] == ['hub.lock holds no requirement']


def test_a_lock_that_is_not_text_is_a_problem():
    assert read(None, source='hub.lock')['problems'] == ['hub.lock is not text (got NoneType)']


def test_names_are_compared_as_the_index_does():
    assert normalize('Jupyter_Server') == 'jupyter-server'
    assert normalize('zope.interface') == 'zope-interface'
    assert normalize('a-_.b') == 'a-b'


def test_the_roles_own_lock_is_a_good_lock_with_the_roles_pins():
    with open(ROLE_LOCK, encoding='utf-8') as f:
        found = read(f.read(), source='hub-venv.lock.txt')
    assert found['problems'] == []
    assert len(found['versions']['jupyterhub']) == 1
    assert len(found['requirements']) >= 100


def test_the_filter_is_registered():
    assert pip_lock.FilterModule().filters() == {'pip_lock': read, 'pip_lock_mismatches': mismatches}


LOCK = read(('jupyterhub==6.1.1 --hash=%s\n'
             "soupsieve==2.10 ; python_full_version < '3.11.5' --hash=%s\n"
             "soupsieve==4.1.4 ; python_full_version >= '3.11.5' --hash=%s\n"
             'jupyterlab-git==0.51.2 --hash=%s\n') % (HASH_A, HASH_A, HASH_B, HASH_B))


def test_settings_the_lock_meets():
    assert mismatches(LOCK, [{'setting': 'jupyterhub_version', 'requirement': 'jupyterhub==6.1.1'},
                             {'setting': 'jupyterhub_extra_pip_packages', 'requirement': 'JupyterLab_Git>=0.50'},
                             {'setting': 'jupyterhub_extra_pip_packages', 'requirement': 'soupsieve'}]) == []


def test_settings_the_lock_does_not_meet_are_named():
    assert mismatches(LOCK, [{'setting': 'jupyterhub_version', 'requirement': 'jupyterhub==6.2.0'},
                             {'setting': 'jupyterhub_extra_pip_packages', 'requirement': 'pandas==2.3.3'},
                             {'setting': 'x', 'requirement': 'soupsieve==4.1.4'}]) == [
        'jupyterhub_version asks for jupyterhub==6.2.0, the lock pins jupyterhub==6.1.1',
        'jupyterhub_extra_pip_packages asks for pandas==2.3.3, which the lock does not hold',
        'x asks for soupsieve==4.1.4, the lock pins soupsieve==2.10, soupsieve==4.1.4',
    ]
