# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import collections
import os
import stat

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import member_files as mf

# Homes owned by other accounts: the tests chown, so they need root (CI runs them as root).
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='chown to other accounts needs root')

Account = collections.namedtuple('Account', 'pw_uid pw_gid pw_dir')
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOn3 alice@laptop'


@pytest.fixture
def site(tmp_path):
    """Two members with homes (alice 1001, bob 1002), a keys dir and a shared dir."""
    keys = tmp_path / 'keys'
    keys.mkdir()
    shared = tmp_path / 'srv-team'
    shared.mkdir()
    accounts = {}
    for uid, name in ((1001, 'alice'), (1002, 'bob')):
        home = tmp_path / 'home' / name
        home.mkdir(parents=True)
        os.chown(str(home), uid, uid)
        os.chmod(str(home), 0o755)
        accounts[name] = Account(uid, uid, str(home))

    def run(members, check_mode=False):
        return mf.apply(members, str(keys), 0o700, str(shared), 'shared', check_mode=check_mode,
                        getpwnam=lambda name: accounts[name])
    return {'run': run, 'keys': keys, 'shared': str(shared), 'accounts': accounts, 'tmp': tmp_path}


TEAM = [{'name': 'alice', 'ssh_keys': [KEY], 'password_hash': 'ignored'}, {'name': 'bob'}]


def test_first_run_does_everything_second_run_nothing(site):
    result = site['run'](TEAM)
    assert (result['keys'], result['homes'], result['links']) == (['alice', 'bob'], ['alice', 'bob'], ['alice', 'bob'])
    assert result['errors'] == {} and result['links_skipped'] == []
    keys = site['keys'] / 'alice'
    assert keys.read_text() == mf.DEFAULT_HEADER + '\n' + KEY + '\n'
    st = os.stat(str(keys))
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, 0, 0o644)
    assert (site['keys'] / 'bob').read_text() == mf.DEFAULT_HEADER + '\n'
    home = site['accounts']['alice'].pw_dir
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    link = os.path.join(home, 'shared')
    assert os.readlink(link) == site['shared'] and os.lstat(link).st_uid == 1001
    again = site['run'](TEAM)
    assert (again['keys'], again['homes'], again['links'], again['diffs']) == ([], [], [], [])


def test_check_mode_plans_and_changes_nothing(site):
    result = site['run'](TEAM, check_mode=True)
    assert result['keys'] == ['alice', 'bob'] and result['homes'] == ['alice', 'bob'] and result['links'] == ['alice', 'bob']
    assert os.listdir(str(site['keys'])) == []
    assert not os.path.lexists(os.path.join(site['accounts']['alice'].pw_dir, 'shared'))
    assert stat.S_IMODE(os.stat(site['accounts']['bob'].pw_dir).st_mode) == 0o755
    assert result['diffs'][0]['before'] == '' and result['diffs'][0]['after'].endswith(KEY + '\n')


def test_a_removed_key_is_revoked_and_the_diff_shows_it(site):
    site['run'](TEAM)
    result = site['run']([{'name': 'alice', 'ssh_keys': []}, {'name': 'bob'}])
    assert result['keys'] == ['alice']
    assert (site['keys'] / 'alice').read_text() == mf.DEFAULT_HEADER + '\n'
    assert KEY in result['diffs'][0]['before'] and KEY not in result['diffs'][0]['after']


def test_a_link_in_place_of_the_keys_file_is_replaced_never_followed(site):
    victim = site['tmp'] / 'victim'
    victim.write_text(u'root stuff\n')
    os.symlink(str(victim), str(site['keys'] / 'alice'))
    site['run'](TEAM)
    assert victim.read_text() == u'root stuff\n'
    assert not os.path.islink(str(site['keys'] / 'alice'))


def test_a_members_own_file_where_the_link_belongs_is_skipped_and_the_rest_done(site):
    own = os.path.join(site['accounts']['alice'].pw_dir, 'shared')
    os.mkdir(own)
    result = site['run'](TEAM)
    assert result['links_skipped'] == ['alice'] and result['links'] == ['bob'] and result['errors'] == {}
    assert os.path.isdir(own) and not os.path.islink(own)


def test_a_wrong_link_is_pointed_at_the_shared_directory(site):
    home = site['accounts']['bob'].pw_dir
    os.symlink('/etc', os.path.join(home, 'shared'))
    result = site['run'](TEAM)
    assert 'bob' in result['links'] and os.readlink(os.path.join(home, 'shared')) == site['shared']
    assert os.stat('/etc').st_uid == 0


def test_a_home_that_is_a_link_is_an_error_for_that_member_only(site):
    alice = site['accounts']['alice']
    os.rename(alice.pw_dir, alice.pw_dir + '.real')
    os.symlink('/etc', alice.pw_dir)
    result = site['run'](TEAM)
    assert list(result['errors']) == ['alice'] and 'is a symlink' in result['errors']['alice']
    assert result['links'] == ['bob'] and 'bob' in result['homes']
    assert os.stat('/etc').st_uid == 0 and not os.path.lexists('/etc/shared')


def test_a_missing_account_is_an_error_outside_check_mode_only(site):
    members = [{'name': 'carol', 'ssh_keys': [KEY]}]
    assert site['run'](members, check_mode=True)['errors'] == {}
    assert site['run'](members)['errors'] == {'carol': 'there is no account carol'}


@pytest.mark.parametrize('members, message', [
    ([{'name': '../etc'}], 'is not a POSIX user name'),
    ([{'name': 'Alice'}], 'is not a POSIX user name'),
    ([{'name': 'alice'}, {'name': 'alice'}], 'listed twice'),
    ([{'name': 'alice', 'ssh_keys': [KEY + '\nssh-ed25519 AAAA evil']}], 'spans lines'),
    ([{'name': 'alice', 'ssh_keys': ['']}], 'is empty'),
])
def test_bad_members_are_refused_before_anything_is_written(site, members, message):
    with pytest.raises(mf.MemberFilesError, match=message):
        site['run'](members)
    assert os.listdir(str(site['keys'])) == []
