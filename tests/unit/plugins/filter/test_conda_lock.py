# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filter teamhub.jupyter.conda_lock: a kernel's lock checked on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

from ansible_collections.teamhub.jupyter.plugins.filter import conda_lock

URL = 'https://conda.example/conda-forge/linux-64/ipykernel-6.29.5-pyh3099207_0.conda'


def test_a_good_lock():
    text = '# platform: linux-64\n@EXPLICIT\n%s#%s\n' % (URL, 'a' * 32)
    assert conda_lock.read(text) == {'packages': ['ipykernel'], 'platform': 'linux-64', 'problems': []}
    assert conda_lock.FilterModule().filters()['conda_lock'] is conda_lock.read


def test_problems_name_the_source_and_line():
    result = conda_lock.read('@EXPLICIT\nipykernel\n', source='lock_src locks/k.conda.lock')
    assert result['packages'] == [] and result['platform'] is None
    assert result['problems'] == ["lock_src locks/k.conda.lock line 2: 'ipykernel' is not a package URL with an "
                                  "optional #md5 or #sha256 (conda list --explicit --md5 writes such lines)"]
    assert 'is not text' in conda_lock.read(None)['problems'][0]
