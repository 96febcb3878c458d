# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""roles/jupyterhub/files/teamhub_sharing.py, the Sharing page: what it sends to the hub
for a submitted form, and how it reads the hub's answers. The page itself (OAuth, the
hub's sharing API) is tested in the default scenario's browser test."""

import json

import pytest
import role_files

sharing = role_files.load('jupyterhub', 'teamhub_sharing.py', 'teamhub_sharing')

TEAM = ['bob', 'carol', 'wang.lei']
GROUPS = ['analysts']


@pytest.mark.parametrize('form, expected', [
    ({'action': 'share', 'user': 'bob'}, ('share', {'user': 'bob'})),
    ({'action': 'share', 'user': ' wang.lei '}, ('share', {'user': 'wang.lei'})),
    ({'action': 'share', 'group': 'analysts'}, ('share', {'group': 'analysts'})),
    ({'action': 'revoke', 'user': 'bob'}, ('revoke', {'user': 'bob'})),
    # A member who left the team can still be revoked.
    ({'action': 'revoke', 'user': 'dave'}, ('revoke', {'user': 'dave'})),
    ({'action': 'share', 'user': 'bob', 'group': ''}, ('share', {'user': 'bob'})),
])
def test_a_form_becomes_one_hub_request(form, expected):
    assert sharing.parse_form(form, TEAM, GROUPS) == expected


@pytest.mark.parametrize('form, reason', [
    ({'action': 'delete', 'user': 'bob'}, "Unknown action 'delete'"),
    ({'user': 'bob'}, "Unknown action ''"),
    ({'action': 'share'}, 'Choose one teammate or one group'),
    ({'action': 'share', 'user': 'bob', 'group': 'analysts'}, 'Choose one teammate or one group'),
    ({'action': 'share', 'user': 'mallory'}, 'mallory is not a member of the team'),
    ({'action': 'share', 'group': 'admins'}, 'admins is not a group of the team'),
    ({'action': 'share', 'user': '../../api/users'}, "'../../api/users' is not a name of the team"),
    ({'action': 'revoke', 'user': 'bob/x'}, "'bob/x' is not a name of the team"),
    ({'action': 'revoke', 'group': 'a' * 80}, 'is not a name of the team'),
])
def test_a_bad_form_is_refused_before_the_hub_is_asked(form, reason):
    with pytest.raises(sharing.Refused, match=reason):
        sharing.parse_form(form, TEAM, GROUPS)


def test_who_has_access_lists_users_then_groups():
    model = {'items': [
        {'kind': 'group', 'group': {'name': 'analysts'}, 'user': None, 'created_at': '2026-12-05T10:11:12.123Z'},
        {'kind': 'user', 'user': {'name': 'carol'}, 'group': None, 'created_at': '2026-12-05T09:00:00Z'},
        {'kind': 'user', 'user': {'name': 'bob'}, 'group': None, 'created_at': None},
        {'kind': 'user', 'user': None},
        {'kind': 'other'},
    ]}
    assert sharing.share_rows(model) == [
        {'kind': 'user', 'name': 'bob', 'since': ''},
        {'kind': 'user', 'name': 'carol', 'since': '2026-12-05 09:00'},
        {'kind': 'group', 'name': 'analysts', 'since': '2026-12-05 10:11'},
    ]
    assert sharing.share_rows({}) == []


def test_the_team_list_leaves_out_the_member_themselves():
    users = [{'name': 'alice'}, {'name': 'carol'}, {'name': 'bob'}, {}]
    groups = [{'name': 'zeta'}, {'name': 'analysts'}]
    assert sharing.team_choices(users, groups, 'alice') == (['bob', 'carol'], ['analysts', 'zeta'])


def test_messages_and_links():
    assert sharing.message_for('share', {'user': 'bob'}) == 'Shared with bob. Send them the link.'
    assert sharing.message_for('revoke', {'group': 'analysts'}).startswith('The group analysts no longer has access')
    assert sharing.server_link('http://127.0.0.1:8000', '/', 'wang.lei') == 'http://127.0.0.1:8000/user/wang.lei/'
    assert sharing.server_link('https://hub.example', '/jupyter/', 'a@b') == 'https://hub.example/jupyter/user/a%40b/'


def test_the_hubs_refusal_is_named():
    body = json.dumps({'status': 403, 'message': "Need scope 'read:users:name' to share with users by name"}).encode()
    assert sharing.hub_error(403, body) == ("The hub does not let you share your server: "
                                            "Need scope 'read:users:name' to share with users by name")
    assert sharing.hub_error(400, b'not json') == 'The hub refused (400)'
    assert sharing.hub_error(404, b'') == 'The hub refused (404)'
