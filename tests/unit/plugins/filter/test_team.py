# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The team filters: the names they go by, and a bad list failing the template with
AnsibleFilterError (the logic itself: tests/unit/plugins/module_utils/test_team.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import importlib

import pytest

from ansible.module_utils import _internal

from ansible_collections.teamhub.jupyter.plugins.module_utils import team


@pytest.fixture(name='filters', scope='module')
def fixture_filters():
    """The filter plugin's filters. Importing it imports Ansible's controller, which makes
    module_utils hand warnings to the controller's display from then on: put that back so
    that the module tests still find their warnings in the result."""
    controller = _internal.is_controller
    yield importlib.import_module('ansible_collections.teamhub.jupyter.plugins.filter.team').FilterModule().filters()
    _internal.is_controller = controller


def test_the_filters(filters):
    assert sorted(filters) == ['team_absent', 'team_admins', 'team_groups', 'team_present', 'team_problems']
    assert filters['team_problems'] is team.problems
    members = [{'name': 'alice', 'admin': True, 'groups': ['geo']}, {'name': 'bob', 'state': 'absent'}]
    assert filters['team_present'](members) == [members[0]]
    assert filters['team_absent'](members) == ['bob']
    assert filters['team_admins'](members) == ['alice']
    assert filters['team_groups'](members) == {'geo': ['alice']}


@pytest.mark.parametrize('name', ['team_present', 'team_absent', 'team_admins', 'team_groups'])
def test_a_bad_list_fails_the_template_naming_its_variable(filters, name):
    errors = importlib.import_module('ansible.errors')
    with pytest.raises(errors.AnsibleFilterError, match=r"^jupyterhub_members\[0\]: name 'Eve' must be a POSIX user name"):
        filters[name]([{'name': 'Eve'}], source='jupyterhub_members')
