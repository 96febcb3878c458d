# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The team list's logic (plugins/module_utils/team.py): the one check of its values and
the readers built on it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import re

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import team

KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'
HASH = '$6$salt$' + 'x' * 86
TEAM = [
    {'name': 'alice', 'admin': True, 'groups': ['geo', 'ml'], 'ssh_keys': [KEY + ' alice@laptop'], 'password_hash': HASH},
    {'name': 'bob', 'groups': ['geo'], 'state': 'present'},
    {'name': 'carol', 'admin': 'yes', 'groups': ['ml'], 'state': 'absent'},
    {'name': 'wang.lei', 'admin': False},
    {'name': '_svc', 'admin': 'true'},
]


def test_a_good_list_has_no_problems():
    assert team.problems(TEAM) == []
    assert team.problems([]) == []


def test_readers():
    assert [member['name'] for member in team.present(TEAM)] == ['alice', 'bob', 'wang.lei', '_svc']
    assert team.absent(TEAM) == ['carol']
    assert team.admins(TEAM) == ['_svc', 'alice']
    assert team.groups(TEAM) == {'geo': ['alice', 'bob'], 'ml': ['alice']}


def test_readers_fail_on_a_bad_list_naming_its_variable():
    with pytest.raises(team.TeamError, match=r"^jupyterhub_members\[0\]: name 'Eve' must be a POSIX user name"):
        team.present([{'name': 'Eve'}], source='jupyterhub_members')
    for reader in (team.absent, team.admins, team.groups):
        with pytest.raises(team.TeamError, match='more than once: eve'):
            reader([{'name': 'eve'}, {'name': 'eve', 'state': 'absent'}])


@pytest.mark.parametrize('member', [
    {'name': 'Alice'}, {'name': 'bob smith'}, {'name': 'alice\n'}, {'name': '1alice'}, {'name': 'a' * 33},
    {'name': 'root'}, {'name': 'team'}, {'name': ''}, {'admin': True}, {'name': 5}, {'name': 'eve', 'state': 'retired'},
])
def test_names_and_states(member):
    found = team.problems([{'name': 'alice'}, member], reserved=['team'])
    assert len(found) == 1
    assert found[0].startswith("users_accounts[1]: name '%s' must be a POSIX user name" % (
        member['name'] if isinstance(member.get('name'), str) else ''))
    assert found[0].endswith("e.g. wang.lei; not root or a team group) and state must be present or absent.")


def test_the_longest_name_passes():
    assert team.problems([{'name': 'a' * 32}]) == []


@pytest.mark.parametrize('members, message', [
    ('alice', 'users_accounts must be a list of members'),
    (['alice'], r'users_accounts\[0\] must be a mapping'),
    ([{'name': 'eve', 'admin': 'perhaps'}], r'users_accounts\[eve\]\.admin must be true or false'),
    ([{'name': 'eve', 'groups': 'geo'}], r'users_accounts\[eve\]\.groups must be a list'),
    ([{'name': 'eve', 'ssh_keys': {'laptop': KEY}}], r'users_accounts\[eve\]\.ssh_keys must be a list'),
    ([{'name': 'eve'}, {'name': 'bob'}, {'name': 'eve'}, {'name': 'bob'}], 'users_accounts lists these names more than once: eve, bob$'),
])
def test_other_problems(members, message):
    found = team.problems(members)
    assert len(found) == 1
    assert re.search(message, found[0]), found


@pytest.mark.parametrize('key', [KEY, KEY + ' eve@laptop', KEY + ' eve laptop 2024',
                                 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== eve'])
def test_keys_pass(key):
    assert team.problems([{'name': 'eve', 'ssh_keys': [key]}]) == []


@pytest.mark.parametrize('key, shown', [
    ('command="/bin/sh" ' + KEY + ' eve@laptop', 'command="/bin/sh" ssh-ed25519...'),
    ('from="10.0.0.1" ' + KEY + ' eve@laptop', 'from="10.0.0.1" ssh-ed25519...'),
    ('restrict ' + KEY, 'restrict ssh-ed25519...'),
    (KEY + ' eve\nssh-rsa AAAAB3 x', 'ssh-ed25519...'),
    (KEY + ' eve@laptop\n', 'ssh-ed25519...'),
    (KEY + '\n', 'ssh-ed25519...'),
    (KEY + ' eve\rcommand="/bin/sh"', 'ssh-ed25519...'),
    ('not-a-key AAAA eve@laptop', 'not-a-key AAAA eve@laptop'),
    ('ssh-ed25519', 'ssh-ed25519'),
])
def test_keys_with_options_or_more_lines_are_refused(key, shown):
    assert team.problems([{'name': 'eve', 'ssh_keys': [KEY, key]}]) == [
        "users_accounts[eve].ssh_keys has an entry that is not an OpenSSH public key: '%s'. Expected '<type> <base64>"
        " [comment]' on one line, without options such as command= or from=, e.g. 'ssh-ed25519 AAAA... alice@laptop'."
        % shown]


@pytest.mark.parametrize('password_hash', ['$y$j9T$salt$hash', '$2b$12$abc', HASH])
def test_crypt_hashes_pass(password_hash):
    assert team.problems([{'name': 'eve', 'password_hash': password_hash}]) == []


def test_bad_hashes_are_named_by_member_never_shown():
    found = team.problems([{'name': 'eve', 'password_hash': 'eve-password'}, {'name': 'bob', 'password_hash': '$6$a b'},
                           {'name': 'carol', 'password_hash': HASH}])
    assert found == ["users_accounts: the password_hash of eve, bob is not a crypt(3) hash (like '$6$...' or '$y$...')."
                     " Make one with: mkpasswd -m sha-512"]


def test_truncate_is_jinjas():
    assert team.truncate('x' * 45) == 'x' * 45
    assert team.truncate('ab cd ' * 10) == 'ab cd ab cd ab cd ab cd ab cd ab cd...'
