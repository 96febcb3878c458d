# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import collections
import os

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import team_accounts as ta

User = collections.namedtuple('User', 'pw_name pw_uid pw_gid pw_dir pw_shell')
Group = collections.namedtuple('Group', 'gr_name gr_gid gr_mem')
HASH = '$6$salt$abcdefghijklmnopqrstuvwxyz0123456789'
OTHER_HASH = '$6$salt$zyxwvutsrqponmlkjihgfedcba9876543210'


def database():
    """alice exists (team, analysts; bash; HASH); operator exists with sudo; bob does not."""
    users = {'alice': User('alice', 1001, 1001, '/home/alice', '/bin/bash'),
             'operator': User('operator', 1000, 1000, '/home/operator', '/bin/bash')}
    groups = {'team': Group('team', 2000, ['alice', 'operator']), 'analysts': Group('analysts', 2001, ['alice']),
              'geo': Group('geo', 2002, []), 'sudo': Group('sudo', 27, ['operator']),
              'alice': Group('alice', 1001, [])}
    return {'users': users, 'groups': groups, 'hashes': {'alice': HASH, 'operator': '!'}}


class Runner:
    def __init__(self, fail=None):
        self.calls, self.fail = [], fail or {}

    def __call__(self, argv, stdin):
        self.calls.append((argv, stdin))
        return (self.fail.get(argv[0], 0), '', 'useradd: UID 1001 is not unique\n' if argv[0] in self.fail else '')


def apply(members, runner, **kwargs):
    return ta.apply(members, '/bin/bash', run=runner, db=database(), **kwargs)


def test_an_account_that_is_right_runs_nothing():
    runner = Runner()
    result = apply([{'name': 'alice', 'groups': ['team', 'analysts'], 'password_hash': HASH}], runner)
    assert runner.calls == [] and result == {'created': [], 'updated': [], 'changes': {}, 'errors': {}}


def test_a_new_member_is_created_and_the_hash_goes_to_stdin_only():
    runner = Runner()
    result = apply([{'name': 'bob', 'groups': ['team', 'geo'], 'uid': 1042, 'password_hash': HASH}], runner)
    assert result['created'] == ['bob']
    assert runner.calls == [
        (['useradd', '--create-home', '--shell', '/bin/bash', '--key', 'UMASK=0077', '--groups', 'geo,team',
          '--uid', '1042', 'bob'], None),
        (['chpasswd', '--encrypted'], 'bob:%s\n' % HASH),
    ]
    assert all(HASH not in arg for argv, _stdin in runner.calls for arg in argv)
    assert HASH not in repr(result)


def test_a_new_members_own_group_is_made_first_with_the_gid_given():
    runner = Runner()
    result = apply([{'name': 'bob', 'groups': ['team'], 'uid': 1042, 'gid': 1042}], runner)
    assert result['created'] == ['bob'] and result['changes']['bob']['gid'] == 1042
    assert runner.calls == [
        (['groupadd', '--gid', '1042', 'bob'], None),
        (['useradd', '--create-home', '--shell', '/bin/bash', '--key', 'UMASK=0077', '--groups', 'team',
          '--uid', '1042', '--no-user-group', '--gid', 'bob', 'bob'], None),
    ]


def test_the_group_made_for_an_account_that_failed_is_removed_again():
    runner = Runner(fail={'useradd': 4})
    result = apply([{'name': 'bob', 'groups': ['team'], 'uid': 1001, 'gid': 1042}], runner)
    assert result['errors'] == {'bob': 'useradd failed (rc 4): useradd: UID 1001 is not unique'}
    assert [argv[0] for argv, _stdin in runner.calls] == ['groupadd', 'useradd', 'groupdel']
    assert runner.calls[-1] == (['groupdel', 'bob'], None)


def test_a_gid_for_an_existing_group_or_account_changes_nothing_of_it():
    runner = Runner()
    # alice has an account (and her group): the gid is not used.
    result = apply([{'name': 'alice', 'groups': ['team', 'analysts'], 'password_hash': HASH, 'gid': 1500}], runner)
    assert runner.calls == [] and result['changes'] == {}


def test_gids_in_check_mode_plan_the_group_and_run_nothing():
    runner = Runner()
    result = apply([{'name': 'bob', 'groups': ['team'], 'gid': 1042}], runner, check_mode=True)
    assert runner.calls == [] and result['created'] == ['bob'] and result['changes']['bob']['gid'] == 1042


def test_groups_are_made_exact_and_the_password_updated():
    runner = Runner()
    result = apply([{'name': 'alice', 'groups': ['team', 'geo'], 'password_hash': OTHER_HASH}], runner)
    assert result['updated'] == ['alice']
    assert runner.calls == [(['usermod', '--groups', 'geo,team', 'alice'], None),
                            (['chpasswd', '--encrypted'], 'alice:%s\n' % OTHER_HASH)]
    assert result['changes']['alice'] == {'groups': {'before': ['analysts', 'team'], 'after': ['geo', 'team']},
                                          'password': 'changed'}
    before, after = ta.describe(result['changes'])
    assert before == 'alice groups: analysts,team\nalice password: (the old one)\n'
    assert after == 'alice groups: geo,team\nalice password: changed\n'
    assert OTHER_HASH not in before + after


def test_without_a_hash_the_password_is_left_alone():
    runner = Runner()
    assert apply([{'name': 'alice', 'groups': ['team', 'analysts']}], runner)['updated'] == []
    assert runner.calls == []


def test_the_login_account_keeps_its_groups():
    runner = Runner()
    result = apply([{'name': 'operator', 'groups': ['team', 'geo']}], runner, append_for='operator')
    assert runner.calls == [(['usermod', '--append', '--groups', 'geo', 'operator'], None)]
    assert result['changes']['operator']['groups']['after'] == ['geo', 'sudo', 'team']
    runner = Runner()
    assert apply([{'name': 'operator', 'groups': ['team']}], runner, append_for='operator')['updated'] == []


def test_a_changed_shell():
    runner = Runner()
    result = ta.apply([{'name': 'alice', 'groups': ['team', 'analysts']}], '/bin/zsh', run=runner, db=database())
    assert runner.calls == [(['usermod', '--shell', '/bin/zsh', 'alice'], None)]
    assert result['changes']['alice'] == {'shell': {'before': '/bin/bash', 'after': '/bin/zsh'}}


def test_check_mode_plans_and_runs_nothing():
    runner = Runner()
    result = apply([{'name': 'bob', 'groups': ['team']}, {'name': 'alice', 'groups': ['team']}], runner, check_mode=True)
    assert runner.calls == [] and result['created'] == ['bob'] and result['updated'] == ['alice']
    assert ta.describe(result['changes'])[1].startswith('alice groups: team\nbob: new account, shell /bin/bash, groups team')


def test_one_members_failure_does_not_stop_the_others():
    runner = Runner(fail={'useradd': 4})
    result = apply([{'name': 'bob', 'groups': ['team'], 'uid': 1001}, {'name': 'carol', 'groups': ['nosuch']},
                    {'name': 'alice', 'groups': ['team']}], runner)
    assert result['errors'] == {'bob': 'useradd failed (rc 4): useradd: UID 1001 is not unique',
                                'carol': 'groups nosuch of carol do not exist; create them first'}
    assert result['updated'] == ['alice'] and result['created'] == []


@pytest.mark.parametrize('member, message', [
    ({'name': 'Bob'}, "'Bob' is not a POSIX user name"),
    ({'name': '-oops'}, 'is not a POSIX user name'),
    ({'name': 'bob', 'password_hash': 'a:b'}, 'the password_hash of bob is not a crypt'),
    ({'name': 'bob', 'password_hash': HASH + '\nroot:x'}, 'the password_hash of bob is not a crypt'),
    ({'name': 'bob', 'groups': ['-G']}, "group '-G' of bob is not a group name"),
    ({'name': 'bob', 'uid': 0}, 'uid 0 of bob is not a UID of 1000 or more'),
    ({'name': 'bob', 'gid': 27}, 'gids: 27 of bob is not a GID of 1000 or more'),
])
def test_bad_members_are_refused_before_anything_runs(member, message):
    runner = Runner()
    with pytest.raises(ta.TeamAccountsError, match=message):
        apply([member, {'name': 'alice', 'groups': []}], runner)
    assert runner.calls == []


def test_a_member_listed_twice_is_refused():
    with pytest.raises(ta.TeamAccountsError, match='bob is listed twice'):
        apply([{'name': 'bob'}, {'name': 'bob'}], Runner())


def test_read_shadow(tmp_path):
    shadow = tmp_path / 'shadow'
    shadow.write_text(u'root:*:19000:0:99999:7:::\nalice:%s:19000:0:99999:7:::\n\n' % HASH)
    assert ta.read_shadow(str(shadow)) == {'root': '*', 'alice': HASH}


def test_check_mode_on_a_new_host_plans_groups_the_tasks_before_would_create():
    runner = Runner()
    result = apply([{'name': 'bob', 'groups': ['nosuch']}], runner, check_mode=True)
    assert result['errors'] == {} and result['created'] == ['bob'] and runner.calls == []


def test_team_members_builds_each_members_groups():
    accounts = ta.team_members([{'name': 'alice', 'admin': True, 'groups': ['geo'], 'ssh_keys': ['x']}, {'name': 'bob'}],
                               ['team'], ['teamhub-admins'], {'bob': 1042}, {'alice': HASH}, {'bob': 1043})
    assert accounts == [{'name': 'alice', 'groups': ['team', 'teamhub-admins', 'geo'], 'uid': None, 'gid': None, 'password_hash': HASH},
                        {'name': 'bob', 'groups': ['team'], 'uid': 1042, 'gid': 1043, 'password_hash': None}]


def test_a_home_another_host_made_at_the_same_moment_is_the_members():
    """Shared /home: useradd wrote the account, but its mkdir lost the race to another host."""
    runner = Runner(fail={'useradd': ta.USERADD_HOMEDIR_FAILED})
    result = apply([{'name': 'bob', 'groups': ['team'], 'uid': 1042, 'password_hash': HASH}], runner,
                   home_made=lambda name: name == 'bob')
    assert result['created'] == ['bob'] and result['errors'] == {}
    assert [argv[0] for argv, _stdin in runner.calls] == ['useradd', 'chpasswd']


def test_a_home_useradd_could_not_make_and_nobody_else_did_is_an_error():
    runner = Runner(fail={'useradd': ta.USERADD_HOMEDIR_FAILED})
    result = apply([{'name': 'bob', 'groups': ['team'], 'uid': 1042}], runner, home_made=lambda name: False)
    assert result['errors'] == {'bob': 'useradd failed (rc 12): useradd: UID 1001 is not unique'}


def test_a_home_is_only_the_members_when_it_is_their_directory(tmp_path, monkeypatch):
    home = tmp_path / 'bob'
    account = type('Account', (), {'pw_dir': str(home), 'pw_uid': os.getuid()})
    monkeypatch.setattr(ta.pwd, 'getpwnam', lambda name: account)
    assert not ta.home_made_elsewhere('bob', wait=0)
    home.symlink_to(tmp_path)
    assert not ta.home_made_elsewhere('bob', wait=0)
    home.unlink()
    home.mkdir()
    assert ta.home_made_elsewhere('bob', wait=0)
    account.pw_uid = os.getuid() + 1
    assert not ta.home_made_elsewhere('bob', wait=0)
