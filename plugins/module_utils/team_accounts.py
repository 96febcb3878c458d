# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The team's system accounts, for every member in one call, as plain functions.

Used by the ``teamhub.jupyter.team_accounts`` module; nothing here depends on
AnsibleModule, so every function can be unit-tested directly.

The account database is read once (passwd, group, shadow) and compared with what
every member should have; only the differences run ``useradd``, ``usermod`` or
``chpasswd``. A password hash goes to ``chpasswd -e`` on its standard input, never
on a command line (``/proc/*/cmdline`` is world-readable), and never into a result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import grp
import os
import pwd
import re
import stat
import time

from ansible_collections.teamhub.jupyter.plugins.module_utils import team

_NAME = team.NAME_PATTERN
# What crypt(3) hashes look like: no separator, no line break, no space.
_HASH = re.compile(r'^[^:\s]+\Z')
SHADOW = '/etc/shadow'
# useradd's exit status when it wrote the account but could not make its home.
USERADD_HOMEDIR_FAILED = 12


class TeamAccountsError(Exception):
    """A problem the user can fix; the message says what and how."""


def team_members(members, groups=(), admin_groups=(), uids=None, password_hashes=None, gids=None):
    """The accounts the team list asks for: each member's groups are ``groups``, plus
    ``admin_groups`` when ``admin`` is true, plus the member's own ``groups``; ``uids``,
    ``gids`` (of the member's own group) and ``password_hashes`` are by name. Other keys
    of the entries (ssh_keys, state) are ignored."""
    uids, gids, password_hashes = uids or {}, gids or {}, password_hashes or {}
    accounts = []
    for member in members:
        name = member.get('name')
        own = member.get('groups') or []
        if not isinstance(own, list):
            raise TeamAccountsError('members: the groups of %s must be a list' % (name,))
        accounts.append({
            'name': name,
            'groups': list(groups) + (list(admin_groups) if member.get('admin') else []) + own,
            'uid': uids.get(name),
            'gid': gids.get(name),
            'password_hash': password_hashes.get(name),
        })
    unknown = sorted(set(password_hashes) - set(account['name'] for account in accounts))
    if unknown:
        raise TeamAccountsError('password_hashes names %s, not in members' % ', '.join(unknown))
    return accounts


def check_members(members):
    """Refuse bad names, hashes and groups before anything runs."""
    seen = set()
    for member in members:
        name = member.get('name')
        if not isinstance(name, str) or not _NAME.match(name):
            raise TeamAccountsError('members: %r is not a POSIX user name' % (name,))
        if name in seen:
            raise TeamAccountsError('members: %s is listed twice' % name)
        seen.add(name)
        password_hash = member.get('password_hash')
        if password_hash is not None and not _HASH.match(password_hash):
            # The hash itself is never shown.
            raise TeamAccountsError('members: the password_hash of %s is not a crypt(3) hash '
                                    '(one word, no ":")' % name)
        for group in member.get('groups') or []:
            if not isinstance(group, str) or not _NAME.match(group):
                raise TeamAccountsError('members: group %r of %s is not a group name' % (group, name))
        uid = member.get('uid')
        if uid is not None and (not isinstance(uid, int) or uid < 1000):
            raise TeamAccountsError('members: uid %r of %s is not a UID of 1000 or more' % (uid, name))
        gid = member.get('gid')
        if gid is not None and (not isinstance(gid, int) or gid < 1000):
            raise TeamAccountsError('gids: %r of %s is not a GID of 1000 or more' % (gid, name))


def read_shadow(path=SHADOW):
    """{name: hash} from the shadow file."""
    hashes = {}
    with open(path) as handle:
        for line in handle:
            fields = line.rstrip('\n').split(':')
            if len(fields) > 1:
                hashes[fields[0]] = fields[1]
    return hashes


def read_database(shadow_path=SHADOW):
    """The account database as the plan needs it: users, groups with their members, hashes."""
    users = dict((entry.pw_name, entry) for entry in pwd.getpwall())
    groups = dict((entry.gr_name, entry) for entry in grp.getgrall())
    return {'users': users, 'groups': groups, 'hashes': read_shadow(shadow_path)}


def supplementary_groups(db, name):
    """The groups that list name as a member (not the primary group)."""
    return sorted(group for group, entry in db['groups'].items() if name in entry.gr_mem)


def plan_member(db, member, shell, append=False, check_mode=False):
    """The commands that bring one member's account where it should be, and what changes.

    Returns (steps, changes): steps are (argv, stdin) pairs, stdin None or the chpasswd line;
    changes a dict of before/after values without any hash (``password: changed``)."""
    name = member['name']
    wanted = sorted(set(member.get('groups') or []))
    missing = [group for group in wanted if group not in db['groups']]
    # In check mode the tasks before only planned to create them.
    if missing and not check_mode:
        raise TeamAccountsError('groups %s of %s do not exist; create them first' % (', '.join(missing), name))
    password_hash = member.get('password_hash')
    password_step = (['chpasswd', '--encrypted'], '%s:%s\n' % (name, password_hash)) if password_hash else None
    account = db['users'].get(name)
    if account is None:
        argv = ['useradd', '--create-home', '--shell', shell, '--key', 'UMASK=0077']
        if wanted:
            argv += ['--groups', ','.join(wanted)]
        if member.get('uid') is not None:
            argv += ['--uid', str(member['uid'])]
        steps = []
        gid = member.get('gid')
        if gid is not None and name not in db['groups']:
            # The member's own group with the GID it has on the other hosts: made first,
            # and useradd makes none of its own.
            steps.append((['groupadd', '--gid', str(gid), name], None))
            argv += ['--no-user-group', '--gid', name]
        else:
            gid = None
        steps.append((argv + [name], None))
        if password_step:
            steps.append(password_step)
        changes = {'account': 'created', 'shell': shell, 'groups': wanted,
                   'uid': member.get('uid'), 'password': 'set' if password_hash else 'none'}
        if gid is not None:
            changes['gid'] = gid
        return steps, changes
    steps, changes = [], {}
    usermod = []
    if account.pw_shell != shell:
        usermod += ['--shell', shell]
        changes['shell'] = {'before': account.pw_shell, 'after': shell}
    current = supplementary_groups(db, name)
    if append:
        if not set(wanted) <= set(current):
            usermod += ['--append', '--groups', ','.join(sorted(set(wanted) - set(current)))]
            changes['groups'] = {'before': current, 'after': sorted(set(current) | set(wanted))}
    elif current != wanted:
        usermod += ['--groups', ','.join(wanted)]
        changes['groups'] = {'before': current, 'after': wanted}
    if usermod:
        steps.append((['usermod'] + usermod + [name], None))
    if password_hash and db['hashes'].get(name) != password_hash:
        steps.append(password_step)
        changes['password'] = 'changed'
    return steps, changes


def home_made_elsewhere(name, wait=5.0):
    """True when the account NAME exists and its home is a directory (not a link) it owns,
    within WAIT seconds. Hosts that share /home (a cluster's NFS) create a new member at
    the same time: one useradd's mkdir finds the home another host has just made, and
    fails (USERADD_HOMEDIR_FAILED) after writing the account. That other useradd copies
    the skeleton and gives the home to the member, whose UID is the same on every host."""
    deadline = time.monotonic() + wait
    while True:
        try:
            account = pwd.getpwnam(name)
            info = os.lstat(account.pw_dir)
            if stat.S_ISDIR(info.st_mode) and info.st_uid == account.pw_uid:
                return True
        except (KeyError, OSError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)


def apply(members, shell, append_for='', run=None, db=None, check_mode=False, home_made=home_made_elsewhere):
    """Bring every member's account where it should be.

    ``run(argv, stdin)`` runs one command and returns (rc, stdout, stderr). Returns a dict:
    created, updated (member names), changes ({name: changes}), errors ({name: message}).
    A member whose command fails is reported and the others are still done. ``home_made``
    (name) decides whether a useradd that failed only to make the home lost a race with
    another host sharing /home (see ``home_made_elsewhere``)."""
    check_members(members)
    if db is None:
        db = read_database()
    result = {'created': [], 'updated': [], 'changes': {}, 'errors': {}}
    for member in members:
        name = member['name']
        try:
            steps, changes = plan_member(db, member, shell, append=(name == append_for), check_mode=check_mode)
        except TeamAccountsError as exc:
            result['errors'][name] = str(exc)
            continue
        if not steps:
            continue
        failed = None
        if not check_mode:
            made_group = False
            for argv, stdin in steps:
                rc, _out, err = run(argv, stdin)
                if rc == USERADD_HOMEDIR_FAILED and argv[0] == 'useradd' and home_made(name):
                    rc = 0
                if rc != 0:
                    # Never the stdin (a hash) in a message; chpasswd does not echo it.
                    failed = '%s failed (rc %d): %s' % (argv[0], rc, err.strip() or 'no message')
                    if made_group and argv[0] == 'useradd':
                        # No account came of it: its group goes too, and the next run starts clean.
                        run(['groupdel', name], None)
                    break
                made_group = made_group or argv[0] == 'groupadd'
        if failed:
            result['errors'][name] = failed
            continue
        result['created' if changes.get('account') == 'created' else 'updated'].append(name)
        result['changes'][name] = changes
    return result


def describe(changes):
    """(before, after) texts of the changes for a diff: one line per account and setting, no hash."""
    before, after = [], []
    for name in sorted(changes):
        change = changes[name]
        if change.get('account') == 'created':
            after.append('%s: new account, shell %s, groups %s, password %s'
                         % (name, change['shell'], ','.join(change['groups']) or '-', change['password']))
            continue
        for key in ('shell', 'groups'):
            if key in change:
                old, new = change[key]['before'], change[key]['after']
                before.append('%s %s: %s' % (name, key, ','.join(old) if isinstance(old, list) else old))
                after.append('%s %s: %s' % (name, key, ','.join(new) if isinstance(new, list) else new))
        if 'password' in change:
            before.append('%s password: (the old one)' % name)
            after.append('%s password: changed' % name)
    return ''.join(line + '\n' for line in before), ''.join(line + '\n' for line in after)
