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
    assert sorted(filters) == ['team_absent', 'team_admins', 'team_gid_problems', 'team_gids', 'team_groups', 'team_present', 'team_problems',
                               'team_uid_problems', 'team_uids']
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


# --- UIDs of new accounts ---------------------------------------------------------------

def hosts_with(**accounts):
    return dict((host, {'accounts': found, 'retired': []}) for host, found in accounts.items())


def test_a_member_new_everywhere_gets_one_uid_on_every_host(filters):
    members = [{'name': 'alice'}, {'name': 'bob'}, {'name': 'carol', 'state': 'absent'}]
    hosts = hosts_with(hub={'root': 0, 'alice': 1001, 'olaf': 1005}, node1={'root': 0}, node2={'root': 0, 'x': 1002})
    hosts['node2']['retired'] = [1007]
    assert filters['team_uids'](members, hosts, 'hub') == {'bob': 1008}
    assert filters['team_uids'](members, hosts, 'node1') == {'alice': 1001, 'bob': 1008}
    assert filters['team_uids'](members, hosts, 'node2') == {'alice': 1001, 'bob': 1008}


def test_a_uid_in_the_list_is_used_and_skipped_by_the_others(filters):
    members = [{'name': 'alice', 'uid': 1001}, {'name': 'bob'}, {'name': 'dave', 'uid': 1003}]
    hosts = hosts_with(hub={'olaf': 1000}, node1={})
    assert filters['team_uids'](members, hosts, 'hub') == {'alice': 1001, 'bob': 1002, 'dave': 1003}
    assert filters['team_uids'](members, hosts, 'node1') == filters['team_uids'](members, hosts, 'hub')


def test_a_member_whose_uid_is_taken_on_a_new_host_stops_the_run_naming_both(filters):
    """Another UID there would give alice's files in a shared home another owner on that
    host: the team lead decides (renumber olaf, or give alice a uid free everywhere)."""
    members = [{'name': 'alice'}]
    hosts = hosts_with(hub={'alice': 1001}, node1={'olaf': 1001})
    message = (r"alice has UID 1001 on hub, but on node1 1001 is the account olaf's: alice would have another number there "
               r"than on the other hosts, and shared files another owner\. Renumber the account olaf on node1 by hand, or give "
               r"users_accounts\[alice\] a uid free on every host\.")
    with pytest.raises(importlib.import_module('ansible.errors').AnsibleFilterError, match=message):
        filters['team_uids'](members, hosts, 'node1')
    assert len(filters['team_uid_problems'](members, hosts, 'node1')) == 1
    # A retired member's UID there: the same.
    hosts = hosts_with(hub={'alice': 1001}, node1={})
    hosts['node1']['retired'] = [1001]
    assert filters['team_uid_problems'](members, hosts, 'node1') == [
        "alice has UID 1001 on hub, but on node1 1001 is a retired member's: alice would have another number there than on "
        "the other hosts, and shared files another owner. Give users_accounts[alice] a uid free on every host."]
    # Where the other hosts disagree already, there is no one UID to keep: the next free one.
    hosts = hosts_with(hub={'alice': 1001}, node1={'alice': 1002}, node2={'olaf': 1001})
    assert filters['team_uids'](members, hosts, 'node2') == {'alice': 1003}


def test_no_uids_above_the_range(filters):
    members = [{'name': 'alice'}]
    hosts = hosts_with(hub={'nobody': 65534, 'olaf': 1000})
    assert filters['team_uids'](members, hosts, 'hub', uid_min=1000, uid_max=59999) == {'alice': 1001}


@pytest.mark.parametrize('hosts, message', [
    (hosts_with(hub={'alice': 1001}, node1={}), r'users_accounts\[alice\]\.uid is 2001, but alice has UID 1001 on hub: '
                                                r'TeamHub never renumbers an account'),
    (hosts_with(hub={'olaf': 2001}), r'users_accounts\[alice\]\.uid 2001 belongs to olaf on hub\.'),
])
def test_a_uid_in_the_list_that_cannot_be_is_refused_naming_member_host_and_uid(filters, hosts, message):
    with pytest.raises(importlib.import_module('ansible.errors').AnsibleFilterError, match=message):
        filters['team_uids']([{'name': 'alice', 'uid': 2001}], hosts, 'hub')


def test_a_retired_members_uid_is_refused(filters):
    hosts = hosts_with(hub={})
    hosts['hub']['retired'] = [2001]
    message = "uid 2001 belonged to a retired member on hub: their files there would become alice's"
    with pytest.raises(importlib.import_module('ansible.errors').AnsibleFilterError, match=message):
        filters['team_uids']([{'name': 'alice', 'uid': 2001}], hosts, 'hub')


def test_a_uid_outside_the_range_is_refused(filters):
    with pytest.raises(importlib.import_module('ansible.errors').AnsibleFilterError, match=r'uid 70000 is outside users_uid_min-users_uid_max \(1000-59999\)'):
        filters['team_uids']([{'name': 'alice', 'uid': 70000}], hosts_with(hub={}), 'hub')


@pytest.mark.parametrize('uid', [999, '1001', True, 1.5])
def test_a_uid_that_is_no_persons_uid_is_a_problem_of_the_list(filters, uid):
    assert team.problems([{'name': 'alice', 'uid': uid}]) == [
        "users_accounts[alice].uid must be a whole number of 1000 or more (a person's UID), not %r." % (uid,)]


def test_a_uid_given_twice_is_a_problem_of_the_list(filters):
    assert team.problems([{'name': 'alice', 'uid': 1001}, {'name': 'bob', 'uid': 1001}]) == [
        'users_accounts gives these UIDs to more than one member: 1001']


def test_uid_problems_are_listed_without_failing(filters):
    hosts = hosts_with(hub={'alice': 1001, 'olaf': 2002}, node1={})
    members = [{'name': 'alice', 'uid': 2001}, {'name': 'bob', 'uid': '2002'}, {'name': 'carol', 'uid': 1003}]
    assert filters['team_uid_problems'](members[:1] + members[2:], hosts, 'node1', '1000', '59999') == [
        'users_accounts[alice].uid is 2001, but alice has UID 1001 on hub: TeamHub never renumbers an account (its '
        'files would change owner). Remove the uid, or renumber the account by hand.']
    assert filters['team_uid_problems']([{'name': 'bob', 'uid': 2002}], hosts, 'hub') == [
        'users_accounts[bob].uid 2002 belongs to olaf on hub.']
    assert filters['team_uid_problems'](members[2:], hosts, 'hub') == []


# --- GIDs of new groups -----------------------------------------------------------------

def hosts_with_groups(**groups):
    return dict((host, {'groups': found, 'retired': []}) for host, found in groups.items())


def test_a_group_new_everywhere_gets_one_gid_on_every_host_in_the_order_given(filters):
    hosts = hosts_with_groups(hub={'root': 0, 'team': 1000, 'alice': 1003}, node1={'root': 0}, node2={'root': 0, 'x': 1004})
    hosts['node1']['retired'] = [1006]
    names = ['team', 'analysts', 'alice', 'bob']
    assert filters['team_gids'](names, hosts, 'hub') == {'analysts': 1007, 'bob': 1008}
    assert filters['team_gids'](names, hosts, 'node1') == {'team': 1000, 'analysts': 1007, 'alice': 1003, 'bob': 1008}
    assert filters['team_gids'](names, hosts, 'node2') == filters['team_gids'](names, hosts, 'node1')


def test_a_group_this_host_has_keeps_its_gid(filters):
    hosts = hosts_with_groups(hub={'team': 1000, 'alice': 1001}, node1={'team': 1005})
    # team is never renumbered on node1.
    assert filters['team_gids'](['team', 'alice'], hosts, 'node1') == {'alice': 1001}


def test_a_group_whose_gid_is_taken_on_a_new_host_stops_the_run_naming_both(filters):
    hosts = hosts_with_groups(hub={'team': 1000, 'alice': 1001}, node1={'earlier': 1000})
    message = ("the group team has GID 1000 on hub, but on node1 1000 is the group earlier's: team would have another "
               "number there than on the other hosts, and shared files another owner. Renumber the group earlier on node1 "
               "by hand, or rename it on the other hosts.")
    assert filters['team_gid_problems'](['team', 'alice'], hosts, 'node1') == [message]
    with pytest.raises(importlib.import_module('ansible.errors').AnsibleFilterError) as failed:
        filters['team_gids'](['team', 'alice'], hosts, 'node1')
    assert str(failed.value) == message
    assert filters['team_gid_problems'](['team', 'alice'], hosts, 'hub') == []


def test_gids_stay_in_the_range_given_as_strings(filters):
    hosts = hosts_with_groups(hub={'nogroup': 65534, 'users': 100})
    assert filters['team_gids'](['team'], hosts, 'hub', '1000', '59999') == {'team': 1000}
    assert team.gids_for(['team', 'team'], hosts, 'hub', gid_min=2000) == {'team': 2000}
