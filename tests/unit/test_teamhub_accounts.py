# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""roles/users/files/teamhub-accounts, the root helper behind "Add users", with the
host's accounts, groups and commands replaced by fakes: no account is read or made."""

import datetime
import hashlib
import io
import json
import os
import types

import pytest
import role_files

PASSWORD = 'correct horse battery'


mod = role_files.load('users', 'teamhub-accounts', 'teamhub_accounts')


class FakeHost:
    """Accounts, groups and commands of a pretend host; records every command run."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.accounts = {}
        self.groups = {'team': 1500, 'teamhub-admins': 1501}
        self.extra_uids = []
        self.extra_gids = []
        self.calls = []
        self.subprocess_calls = []

    def add_account(self, name, uid, home=None):
        self.accounts[name] = types.SimpleNamespace(
            pw_name=name, pw_uid=uid, pw_gid=uid, pw_dir=home or str(self.tmp_path / 'home' / name))

    def account(self, name):
        return self.accounts.get(name)

    def group_exists(self, name):
        return name in self.groups

    def getpwall(self):
        return list(self.accounts.values()) + [types.SimpleNamespace(pw_uid=uid) for uid in self.extra_uids]

    def getgrall(self):
        return [types.SimpleNamespace(gr_gid=gid) for gid in list(self.groups.values()) + self.extra_gids]

    def run(self, argv, stdin=None):
        self.calls.append((list(argv), stdin))
        if argv == ['useradd', '--defaults']:
            return 'GROUP=100\nHOME=%s\nSHELL=/bin/sh\n' % (self.tmp_path / 'home')
        if argv[0] == 'useradd':
            # What useradd does for --create-home: the home, owned by the new account.
            name, home = argv[-1], argv[argv.index('--home-dir') + 1]
            os.makedirs(home)
            self.accounts[name] = types.SimpleNamespace(
                pw_name=name, pw_uid=os.getuid(), pw_gid=os.getgid(), pw_dir=home)
        if argv[0] == 'mv':
            os.rename(argv[-2], argv[-1])
        if argv[0] == 'userdel':
            self.accounts.pop(argv[-1], None)
        return ''

    def subprocess_run(self, argv, **kwargs):
        self.subprocess_calls.append(list(argv))
        return types.SimpleNamespace(returncode=0, stdout='', stderr='')


@pytest.fixture
def host(tmp_path, monkeypatch):
    fake = FakeHost(tmp_path)
    (tmp_path / 'home').mkdir()
    monkeypatch.setattr(mod, 'account', fake.account)
    monkeypatch.setattr(mod, 'group_exists', fake.group_exists)
    monkeypatch.setattr(mod, 'run', fake.run)
    monkeypatch.setattr(mod.pwd, 'getpwall', fake.getpwall)
    monkeypatch.setattr(mod.grp, 'getgrall', fake.getgrall)
    # Nothing may reach a real userdel or systemctl either.
    monkeypatch.setattr(mod, 'subprocess', types.SimpleNamespace(run=fake.subprocess_run))
    return fake


@pytest.fixture
def config(tmp_path):
    state = tmp_path / 'state'
    state.mkdir()
    (tmp_path / 'archive').mkdir()
    (tmp_path / 'keys').mkdir()
    (tmp_path / 'archive' / 'retired-uids').write_text('1003 olga 2026-01-02T03:04:05Z\n')
    return {
        'registry_file': str(state / 'registry.json'),
        'links_file': str(state / 'links.json'),
        'lock_file': str(state / 'lock'),
        'retired_uids_file': str(tmp_path / 'archive' / 'retired-uids'),
        'archive_dir': str(tmp_path / 'archive'),
        'keys_dir': str(tmp_path / 'keys'),
        'inventory': {'alice': 'present', 'dave': 'absent'},
        'team_group': 'team',
        'reserved': ['team', 'teamhub-admins'],
        'uid_min': 1000,
        'uid_max': 1010,
        'shell': '/bin/bash',
        'home_mode': '0700',
        'shared_dir': '/srv/teamhub/shared',
        'shared_link': 'shared',
        'link_hours': 1,
        'password_min_length': 10,
    }


@pytest.fixture
def newbie(host, config):
    """'newbie', a member added on the hub (account and registry entry), and 'alice' of the inventory."""
    host.add_account('newbie', 1004)
    host.add_account('alice', 1000)
    with open(config['registry_file'], 'w', encoding='utf-8') as handle:
        json.dump({'newbie': {'uid': 1004, 'added': '2026-01-01T00:00:00Z', 'added_by': 'admin'}}, handle)
    return host


def read(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


# name_problem

def test_name_problem_upper_case_suggests_lower(host, config):
    """A name with capitals is refused with the lower-case spelling to use instead."""
    problem = mod.name_problem('NewBie', config)
    assert 'lower case' in problem
    assert "'newbie'" in problem


@pytest.mark.parametrize('name', ['bad name', '-x', 'a' * 33, '../x', 'x/y', 'wang.lei\n', ''])
def test_name_problem_invalid(host, config, name):
    """Names that are no POSIX user name (or empty) are refused, and none is looked up."""
    problem = mod.name_problem(name, config)
    assert problem is not None
    assert 'lower case' not in problem
    assert 'taken' not in problem


def test_name_problem_longest_valid_name(host, config):
    """32 characters are still a name; 33 (above) are not."""
    assert mod.name_problem('a' * 32, config) is None


def test_name_problem_not_a_string(host, config):
    """A request without a name, or with a name that is no string, is refused."""
    assert mod.name_problem(None, config) == 'A member needs a name.'
    assert mod.name_problem(['alice'], config) == 'A member needs a name.'


@pytest.mark.parametrize('name', ['olga', 'dave'])
def test_name_problem_retired(host, config, name):
    """Names in the retired-uids file and inventory names set absent stay reserved."""
    assert 'retired member' in mod.name_problem(name, config)


def test_name_problem_inventory_name(host, config):
    """A name the inventory manages is left to the playbook."""
    assert 'users_accounts' in mod.name_problem('alice', config)


def test_name_problem_taken_account(host, config):
    """A name with an account on the host is taken."""
    host.add_account('bob', 1001)
    assert 'an account of that name exists' in mod.name_problem('bob', config)


def test_name_problem_taken_group(host, config):
    """A name that is a group on the host is taken (useradd --user-group would fail)."""
    host.groups['docker'] = 999
    assert 'it is a group' in mod.name_problem('docker', config)


def test_name_problem_reserved(host, config):
    """The team's own group names are refused even where the group does not exist yet."""
    host.groups.clear()
    assert 'taken' in mod.name_problem('team', config)
    assert 'taken' in mod.name_problem('teamhub-admins', config)


def test_name_problem_valid(host, config):
    """A free, valid name has no problem."""
    assert mod.name_problem('newbie', config) is None
    assert mod.name_problem('wang.lei', config) is None


# next_uid

def test_next_uid_above_accounts_groups_and_retired(host, config):
    """The next UID is one above the highest in range of accounts, groups and retired UIDs."""
    host.groups.clear()
    host.add_account('root', 0)
    host.add_account('alice', 1000)
    host.extra_uids = [65534]
    host.extra_gids = [100, 1001, 65534]
    assert mod.next_uid(config) == 1004  # olga's retired 1003 is never reused


def test_next_uid_group_counts(host, config):
    """A group's GID in the range is passed over as well (the new user group takes the UID as GID)."""
    host.groups = {'lab': 1007}
    assert mod.next_uid(config) == 1008


def test_next_uid_ignores_out_of_range(host, config, tmp_path):
    """UIDs and GIDs outside uid_min..uid_max (nobody's 65534, system ones) are ignored."""
    os.unlink(config['retired_uids_file'])
    host.add_account('nobody', 65534)
    host.add_account('root', 0)
    host.extra_gids = [65534, 999]
    assert mod.next_uid(config) == 1000


def test_next_uid_refused_past_max(host, config):
    """When uid_max is in use there is no UID left, and the message says which setting to raise."""
    host.add_account('last', 1010)
    with pytest.raises(mod.Refused, match='users_uid_max'):
        mod.next_uid(config)


# add

def test_add_creates_member(host, config, tmp_path):
    """add runs useradd with the team's settings, sets the home mode, links shared and registers the member."""
    answer = mod.add(config, {'name': 'newbie', 'by': 'admin'})
    assert answer == {'uid': 1004}
    home = str(tmp_path / 'home' / 'newbie')
    assert host.calls[1][0] == ['useradd', '--create-home', '--home-dir', home, '--shell', '/bin/bash',
                                '--uid', '1004', '--user-group', '--groups', 'team', '--key', 'UMASK=0077',
                                'newbie']
    assert os.stat(home).st_mode & 0o777 == 0o700
    assert os.readlink(os.path.join(home, 'shared')) == '/srv/teamhub/shared'
    entry = read(config['registry_file'])['newbie']
    assert entry['uid'] == 1004
    assert entry['added_by'] == 'admin'
    assert host.subprocess_calls == []


def test_add_refuses_existing_home(host, config, tmp_path):
    """A home directory that exists already is not handed to the new member; no useradd runs."""
    (tmp_path / 'home' / 'newbie').mkdir()
    with pytest.raises(mod.Refused, match='exists already'):
        mod.add(config, {'name': 'newbie', 'by': 'admin'})
    assert [argv for argv, _stdin in host.calls] == [['useradd', '--defaults']]


def test_add_refuses_bad_name_before_running_anything(host, config):
    """A refused name runs no command at all."""
    with pytest.raises(mod.Refused, match='retired member'):
        mod.add(config, {'name': 'olga', 'by': 'admin'})
    assert host.calls == []


# link and redeem

def test_link_stores_only_the_hash(newbie, config):
    """The token is answered once; the links file holds only its sha256 and the expiry."""
    answer = mod.link(config, {'name': 'newbie', 'by': 'admin'})
    token = answer['token']
    assert len(token) >= 40
    with open(config['links_file'], encoding='utf-8') as handle:
        text = handle.read()
    assert token not in text
    stored = json.loads(text)['newbie']
    assert stored['sha256'] == hashlib.sha256(token.encode('utf-8')).hexdigest()
    assert stored['expires'] == answer['expires']
    assert os.stat(config['links_file']).st_mode & 0o777 == 0o600


def test_link_expires_after_link_hours(newbie, config):
    """The link expires link_hours from now."""
    before = datetime.datetime.now(datetime.timezone.utc)
    expires = datetime.datetime.strptime(mod.link(config, {'name': 'newbie'})['expires'], '%Y-%m-%dT%H:%M:%SZ')
    expires = expires.replace(tzinfo=datetime.timezone.utc)
    assert datetime.timedelta(minutes=59) < expires - before <= datetime.timedelta(hours=1)


def test_redeem_sets_password_once(newbie, config):
    """redeem with the token sets the password through chpasswd and uses the link up."""
    token = mod.link(config, {'name': 'newbie', 'by': 'admin'})['token']
    assert mod.redeem(config, {'name': 'newbie', 'token': token, 'password': PASSWORD}) == {}
    assert newbie.calls == [(['chpasswd'], 'newbie:%s\n' % PASSWORD)]
    assert 'newbie' not in read(config['links_file'])
    with pytest.raises(mod.Refused, match='not valid'):
        mod.redeem(config, {'name': 'newbie', 'token': token, 'password': PASSWORD})
    assert len(newbie.calls) == 1


def test_redeem_wrong_token(newbie, config):
    """A wrong token (or none) is refused, nothing runs and the right one still works."""
    token = mod.link(config, {'name': 'newbie'})['token']
    for wrong in (token[:-1] + ('A' if token[-1] != 'A' else 'B'), '', None, 12):
        with pytest.raises(mod.Refused, match='not valid'):
            mod.redeem(config, {'name': 'newbie', 'token': wrong, 'password': PASSWORD})
    assert newbie.calls == []
    mod.redeem(config, {'name': 'newbie', 'token': token, 'password': PASSWORD})
    assert len(newbie.calls) == 1


def test_redeem_token_for_another_name(newbie, config):
    """A token is good only for the name it was made for."""
    newbie.add_account('other', 1005)
    token = mod.link(config, {'name': 'newbie'})['token']
    for name in ('other', 'alice', None):
        with pytest.raises(mod.Refused, match='not valid'):
            mod.redeem(config, {'name': name, 'token': token, 'password': PASSWORD})
    assert newbie.calls == []


def test_redeem_newer_link_replaces_older(newbie, config):
    """A new link for the same member makes the older token invalid."""
    first = mod.link(config, {'name': 'newbie'})['token']
    second = mod.link(config, {'name': 'newbie'})['token']
    assert first != second
    with pytest.raises(mod.Refused, match='not valid'):
        mod.redeem(config, {'name': 'newbie', 'token': first, 'password': PASSWORD})
    mod.redeem(config, {'name': 'newbie', 'token': second, 'password': PASSWORD})
    assert len(newbie.calls) == 1


def test_redeem_expired_by_link_hours(newbie, config):
    """A link made with an expiry in the past is refused."""
    config['link_hours'] = -0.01
    token = mod.link(config, {'name': 'newbie'})['token']
    with pytest.raises(mod.Refused, match='not valid'):
        mod.redeem(config, {'name': 'newbie', 'token': token, 'password': PASSWORD})
    assert newbie.calls == []


def test_redeem_expired_in_file(newbie, config):
    """A link whose stored expiry has passed is refused."""
    token = mod.link(config, {'name': 'newbie'})['token']
    links = read(config['links_file'])
    links['newbie']['expires'] = '2000-01-01T00:00:00Z'
    mod.write_json(config['links_file'], links)
    with pytest.raises(mod.Refused, match='not valid'):
        mod.redeem(config, {'name': 'newbie', 'token': token, 'password': PASSWORD})
    assert newbie.calls == []


def test_redeem_member_gone(newbie, config):
    """A link for a member retired (account gone) since is refused and sets no password."""
    token = mod.link(config, {'name': 'newbie'})['token']
    del newbie.accounts['newbie']
    with pytest.raises(mod.Refused):
        mod.redeem(config, {'name': 'newbie', 'token': token, 'password': PASSWORD})
    assert newbie.calls == []


def test_redeem_short_password_keeps_link(newbie, config):
    """A too-short password is refused with the minimum; the link is not used up."""
    token = mod.link(config, {'name': 'newbie'})['token']
    for short in ('a' * 9, '', None):
        with pytest.raises(mod.Refused, match='at least 10 characters'):
            mod.redeem(config, {'name': 'newbie', 'token': token, 'password': short})
    assert newbie.calls == []
    mod.redeem(config, {'name': 'newbie', 'token': token, 'password': 'a' * 10})
    assert newbie.calls == [(['chpasswd'], 'newbie:%s\n' % ('a' * 10))]


@pytest.mark.parametrize('password', ['my-newbie-pass', 'NewBie-2026-pass', 'long enough\npassword',
                                      'long enough\rpassword', 'long enough\0password'])
def test_redeem_password_with_name_or_line_break(newbie, config, password):
    """A password containing the user name (any case) or a line break is refused: chpasswd reads lines."""
    token = mod.link(config, {'name': 'newbie'})['token']
    with pytest.raises(mod.Refused, match='user name or a line break'):
        mod.redeem(config, {'name': 'newbie', 'token': token, 'password': password})
    assert newbie.calls == []
    assert 'newbie' in read(config['links_file'])


def test_link_refuses_inventory_member(newbie, config):
    """An inventory member's password comes from the inventory, never from a link."""
    with pytest.raises(mod.Refused, match='users_accounts'):
        mod.link(config, {'name': 'alice'})
    assert not os.path.exists(config['links_file'])


def test_link_refuses_inventory_member_in_registry(newbie, config):
    """A registry entry does not make an inventory member the hub's."""
    mod.write_json(config['registry_file'], {'newbie': {'uid': 1004}, 'alice': {'uid': 1000}})
    with pytest.raises(mod.Refused, match='users_accounts'):
        mod.link(config, {'name': 'alice'})


@pytest.mark.parametrize('name', ['bob', 'ghost', '../newbie', None])
def test_link_refuses_name_not_in_registry(newbie, config, name):
    """Accounts not added on the hub, unknown and invalid names get no link."""
    newbie.add_account('bob', 1001)
    with pytest.raises(mod.Refused, match='added on the hub'):
        mod.link(config, {'name': name})
    assert not os.path.exists(config['links_file'])


# retire

def test_retire_refuses_inventory_member(newbie, config):
    """An inventory member is retired with state: absent in the inventory, not here."""
    with pytest.raises(mod.Refused, match='state: absent'):
        mod.retire(config, {'name': 'alice', 'by': 'admin'})
    assert newbie.calls == []


def test_retire_without_account(host, config):
    """A name with no account is not retired and nothing runs."""
    assert mod.retire(config, {'name': 'ghost', 'by': 'admin'}) == {'retired': False}
    assert mod.retire(config, {'by': 'admin'}) == {'retired': False}
    assert host.calls == []


def test_retire_refuses_account_not_added_on_hub(newbie, config):
    """An account the hub did not add is not retired from the hub."""
    newbie.add_account('bob', 1001)
    with pytest.raises(mod.Refused, match='added on the hub'):
        mod.retire(config, {'name': 'bob', 'by': 'admin'})
    assert newbie.calls == []


def test_retire_hub_member(newbie, config, tmp_path, monkeypatch):
    """Retiring archives the home, records the UID, drops keys, runs userdel and forgets the member."""
    ended = []
    monkeypatch.setattr(mod, 'end_processes', lambda uid, name: ended.append((uid, name)))
    home = tmp_path / 'home' / 'newbie'
    home.mkdir()
    (home / 'notes.txt').write_text('mine')
    (tmp_path / 'keys' / 'newbie').write_text('ssh-ed25519 AAAA')
    token = mod.link(config, {'name': 'newbie'})['token']
    answer = mod.retire(config, {'name': 'newbie', 'by': 'admin'})
    assert answer['retired'] is True
    assert ended == [(1004, 'newbie')]
    assert os.path.dirname(answer['archive']) == config['archive_dir']
    with open(os.path.join(answer['archive'], 'notes.txt'), encoding='utf-8') as handle:
        assert handle.read() == 'mine'
    assert not home.exists()
    assert not (tmp_path / 'keys' / 'newbie').exists()
    assert newbie.calls == [(['mv', '--no-target-directory', str(home), answer['archive']], None),
                            (['userdel', 'newbie'], None)]
    assert mod.retired(config)['newbie'] == 1004
    assert 'newbie' not in read(config['registry_file'])
    assert 'newbie' not in read(config['links_file'])
    assert 'retired member' in mod.name_problem('newbie', config)
    with pytest.raises(mod.Refused):
        mod.redeem(config, {'name': 'newbie', 'token': token, 'password': PASSWORD})


# list

def test_list_only_hub_members_with_accounts(newbie, config):
    """list shows registry members whose account exists and that the inventory does not manage."""
    mod.write_json(config['registry_file'], {'newbie': {'uid': 1004}, 'alice': {'uid': 1000}, 'gone': {'uid': 1002}})
    assert mod.members(config, {}) == {'members': {'newbie': {'uid': 1004}}}


# handle

@pytest.mark.parametrize('request_', [{'op': 'delete', 'name': 'newbie'}, {}, None, [], 'list', {'op': None}])
def test_handle_unknown_op(host, config, request_):
    """Anything but a known op is answered ok False with the list of ops, before any lock or file."""
    answer = mod.handle(config, request_)
    assert answer['ok'] is False
    assert 'add, link, list, redeem, retire' in answer['error']
    assert not os.path.exists(config['lock_file'])


@pytest.mark.parametrize('op', [['list'], {'op': 'list'}])
def test_handle_unhashable_op(host, config, op):
    """An op that is a JSON list or object is an unknown request too, answered ok False."""
    answer = mod.handle(config, {'op': op})
    assert answer['ok'] is False
    assert 'add, link, list, redeem, retire' in answer['error']


def test_handle_refused(host, config):
    """A Refused comes back as ok False with its message."""
    answer = mod.handle(config, {'op': 'add', 'name': 'alice', 'by': 'admin'})
    assert answer == {'ok': False, 'error': mod.name_problem('alice', config)}
    assert host.calls == []


def test_handle_failure_on_host(newbie, config, monkeypatch):
    """Any other error is answered ok False, saying which op failed on the host."""
    def failing(argv, stdin=None):
        raise RuntimeError('chpasswd failed: PAM said no')
    token = mod.link(config, {'name': 'newbie'})['token']
    monkeypatch.setattr(mod, 'run', failing)
    answer = mod.handle(config, {'op': 'redeem', 'name': 'newbie', 'token': token, 'password': PASSWORD})
    assert answer == {'ok': False, 'error': 'redeem failed on the host: chpasswd failed: PAM said no'}
    assert 'newbie' in read(config['links_file'])


def test_handle_success_creates_state_dir(newbie, config, tmp_path):
    """A good request is ok True with the op's results; the registry's directory is made, 0700."""
    state = tmp_path / 'new-state'
    old = config['registry_file']
    config['registry_file'] = str(state / 'registry.json')
    config['links_file'] = str(state / 'links.json')
    config['lock_file'] = str(state / 'lock')
    answer = mod.handle(config, {'op': 'list'})
    assert answer == {'ok': True, 'members': {}}
    assert state.is_dir()
    assert os.stat(str(state)).st_mode & 0o077 == 0
    assert os.path.exists(config['lock_file'])
    os.replace(old, config['registry_file'])
    answer = mod.handle(config, {'op': 'link', 'name': 'newbie', 'by': 'admin'})
    assert answer['ok'] is True
    assert set(answer) == {'ok', 'token', 'expires'}


# main

def run_main(monkeypatch, capsys, line, config_path):
    monkeypatch.setattr(mod.sys, 'stdin', types.SimpleNamespace(buffer=io.BytesIO(line)))
    monkeypatch.setattr(mod.sys, 'argv', ['teamhub-accounts', str(config_path)])
    mod.main()
    out = capsys.readouterr().out
    assert out.endswith('\n') and out.count('\n') == 1
    return json.loads(out)


def test_main_answers_one_json_line(newbie, config, tmp_path, monkeypatch, capsys):
    """main reads one JSON request from stdin, the config from argv[1], and writes one JSON answer line."""
    path = tmp_path / 'accounts.json'
    path.write_text(json.dumps(config))
    answer = run_main(monkeypatch, capsys, b'{"op": "list"}\n{"op": "retire", "name": "newbie"}\n', path)
    assert answer == {'ok': True, 'members': {'newbie': {'uid': 1004, 'added': '2026-01-01T00:00:00Z',
                                                         'added_by': 'admin'}}}
    assert newbie.calls == []


@pytest.mark.parametrize('line', [b'not json\n', b'\xff\xfe\n', b'', b'{"op": "list"' + b' ' * 5000 + b'}\n'])
def test_main_bad_request(host, config, tmp_path, monkeypatch, capsys, line):
    """Input that is no JSON request (or longer than MAX_REQUEST) is answered ok False."""
    path = tmp_path / 'accounts.json'
    path.write_text(json.dumps(config))
    answer = run_main(monkeypatch, capsys, line, path)
    assert answer['ok'] is False
    assert 'Unknown request' in answer['error']


def test_main_unhashable_op(host, config, tmp_path, monkeypatch, capsys):
    """A request whose op is a JSON list still gets one JSON answer line, ok False."""
    path = tmp_path / 'accounts.json'
    path.write_text(json.dumps(config))
    answer = run_main(monkeypatch, capsys, b'{"op": ["list"]}\n', path)
    assert answer['ok'] is False


def test_main_switched_off(host, tmp_path, monkeypatch, capsys):
    """Without the config file the helper answers that adding members is switched off."""
    answer = run_main(monkeypatch, capsys, b'{"op": "list"}\n', tmp_path / 'missing.json')
    assert answer['ok'] is False
    assert 'switched off' in answer['error']


def test_retire_puts_the_home_back_when_userdel_fails(newbie, config, tmp_path, monkeypatch):
    """A userdel that fails leaves the member whole: home back in place, UID not recorded, still listed."""
    monkeypatch.setattr(mod, 'end_processes', lambda uid, name: None)
    home = tmp_path / 'home' / 'newbie'
    home.mkdir()
    (home / 'notes.txt').write_text('mine')

    def failing_userdel(argv, stdin=None):
        newbie.calls.append((list(argv), stdin))
        if argv[0] == 'userdel':
            raise RuntimeError('userdel failed: user newbie is currently used by process 42')
        if argv[0] == 'mv':
            os.rename(argv[2], argv[3])
        return ''

    monkeypatch.setattr(mod, 'run', failing_userdel)
    answer = mod.handle(config, {'op': 'retire', 'name': 'newbie'})
    assert answer == {'ok': False, 'error': 'retire failed on the host: userdel failed: user newbie is currently used by process 42'}
    assert (home / 'notes.txt').read_text() == 'mine'
    assert 'newbie' not in mod.retired(config)
    assert 'newbie' in mod.members(config, {})['members']


# end-processes (also what the users role runs for members set to absent)

def test_processes_of_finds_this_process_by_its_uid():
    """processes_of reads /proc: this test's own process is among those of its UID, and no UID has none."""
    assert os.getpid() in mod.processes_of(os.getuid())
    assert mod.processes_of(4294967290) == []


def test_end_processes_stops_active_units_and_kills_until_none_is_left(host, monkeypatch):
    """Active units of the member are stopped, inactive ones left; each PID is killed; survivors none."""
    listing = ('jupyter-newbie-singleuser.service loaded active running Jupyter\n'
               'jupyter-newbie-old.service loaded inactive dead Old\n'
               'user@1004.service loaded active running User Manager\n')

    def subprocess_run(argv, **kwargs):
        host.subprocess_calls.append(list(argv))
        return types.SimpleNamespace(returncode=0, stdout=listing if 'list-units' in argv else '', stderr='')

    monkeypatch.setattr(mod, 'subprocess', types.SimpleNamespace(run=subprocess_run))
    seen = [[41, 42], [42], []]
    monkeypatch.setattr(mod, 'processes_of', lambda uid: seen.pop(0))
    killed = []
    monkeypatch.setattr(mod.os, 'kill', lambda pid, sig: killed.append((pid, sig)))
    monkeypatch.setattr(mod.time, 'sleep', lambda seconds: None)
    result = mod.end_processes(1004, 'newbie')
    assert result == {'units': ['jupyter-newbie-singleuser.service', 'user@1004.service'], 'killed': 3, 'survivors': []}
    assert ['systemctl', 'stop', 'jupyter-newbie-old.service'] not in host.subprocess_calls
    assert ['systemctl', 'stop', 'user@1004.service'] in host.subprocess_calls
    assert [pid for pid, _sig in killed] == [41, 42, 42]


def test_end_processes_reports_survivors_after_the_deadline(host, monkeypatch):
    """A process that SIGKILL does not end within 30 s is reported, not waited for forever."""
    monkeypatch.setattr(mod, 'processes_of', lambda uid: [77])
    monkeypatch.setattr(mod.os, 'kill', lambda pid, sig: None)
    clock = iter(range(0, 1000, 10))
    monkeypatch.setattr(mod.time, 'monotonic', lambda: next(clock))
    monkeypatch.setattr(mod.time, 'sleep', lambda seconds: None)
    assert mod.end_processes(1004, 'newbie')['survivors'] == [77]


def test_main_end_processes_mode_prints_json(host, monkeypatch, capsys):
    """teamhub-accounts end-processes UID NAME: the users role's way in; prints end_processes' result."""
    monkeypatch.setattr(mod, 'end_processes', lambda uid, name: {'units': [], 'killed': uid, 'survivors': [name]})
    monkeypatch.setattr(mod.sys, 'argv', ['teamhub-accounts', 'end-processes', '1004', 'newbie'])
    mod.main()
    assert json.loads(capsys.readouterr().out) == {'units': [], 'killed': 1004, 'survivors': ['newbie']}
