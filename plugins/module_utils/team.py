# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The team list (users_accounts of role teamhub.jupyter.users) read the same way by
every role: who is present, who is retired, who is an admin, who is in which group.

``problems`` is the one check of the list's values; every reader runs it first and
raises TeamError with its messages, so a role never acts on a bad entry. Plain
functions, unit-tested directly; the filter plugin plugins/filter/team.py exposes them
as teamhub.jupyter.team_problems, team_present, team_absent, team_admins, team_groups.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import re
from collections import Counter
from collections.abc import Mapping

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six import string_types

# A POSIX user name as Debian's adduser takes it, the whole string.
NAME_PATTERN = re.compile(r'^[a-z_][a-z0-9_.-]{0,31}\Z')
# An OpenSSH public key line: key type, base64 blob, optional comment (options such as
# command="..." or from="..." are not allowed), as the whole string: no second line, no
# line break at the end.
SSH_KEY_PATTERN = re.compile(
    r'^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)'
    r' AAAA[A-Za-z0-9+/]+={0,3}( [^\r\n]*)?\Z')
# A crypt(3) hash: MD5, SHA-256, SHA-512, yescrypt, gost-yescrypt, scrypt or bcrypt.
PASSWORD_HASH_PATTERN = re.compile(r'^\$(1|5|6|y|gy|7|2[abxy])\$[^\s:]+\Z')
STATES = ('present', 'absent')
DEFAULT_SOURCE = 'users_accounts'


class TeamError(Exception):
    """The team list has bad values; the message lists every problem."""


def truncate(text, length=40, end='...', leeway=5):
    """What Jinja's truncate(40) prints: the text, or its words that fit and '...'."""
    if len(text) <= length + leeway:
        return text
    return text[:length - len(end)].rsplit(' ', 1)[0] + end


def flag(value):
    """A boolean setting as Ansible reads it (true, yes, on, 1, ...); None when it is none."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        return None


def _strings(value):
    return isinstance(value, list) and all(isinstance(item, string_types) for item in value)


def _entry_problems(index, member, source, reserved):
    if not isinstance(member, Mapping):
        return ['%s[%d] must be a mapping with at least a name, e.g. {name: alice}.' % (source, index)]
    found = []
    name = member.get('name', '')
    if (not isinstance(name, string_types) or not NAME_PATTERN.match(name) or name in reserved
            or member.get('state', 'present') not in STATES):
        found.append(
            "%s[%d]: name '%s' must be a POSIX user name (lowercase letter or '_', then up to 31 lowercase letters,"
            " digits, '.', '_' or '-', e.g. wang.lei; not root or a team group) and state must be present or absent."
            % (source, index, name if isinstance(name, string_types) else ''))
        name = name if isinstance(name, string_types) else index
    if flag(member.get('admin', False)) is None:
        found.append('%s[%s].admin must be true or false.' % (source, name))
    if not _strings(member.get('groups', [])):
        found.append('%s[%s].groups must be a list of group names.' % (source, name))
    keys = member.get('ssh_keys', [])
    if not _strings(keys):
        found.append('%s[%s].ssh_keys must be a list of OpenSSH public keys.' % (source, name))
    else:
        found.extend(
            "%s[%s].ssh_keys has an entry that is not an OpenSSH public key: '%s'. Expected '<type> <base64> [comment]'"
            " on one line, without options such as command= or from=, e.g. 'ssh-ed25519 AAAA... alice@laptop'."
            % (source, name, truncate(key)) for key in keys if not SSH_KEY_PATTERN.match(key))
    uid = member.get('uid')
    if uid is not None and (isinstance(uid, bool) or not isinstance(uid, int) or uid < 1000):
        found.append('%s[%s].uid must be a whole number of 1000 or more (a person\'s UID), not %r.' % (source, name, uid))
    return found


def problems(members, source=DEFAULT_SOURCE, reserved=()):
    """Every problem with the values of the team list, one message each (none: it is fine).

    ``source`` names the list in the messages; ``reserved`` are names no member may have
    besides root (the users role's team groups). Password hashes never show.
    """
    if not isinstance(members, list):
        return ['%s must be a list of members (mappings with a name).' % source]
    reserved = ['root'] + list(reserved)
    found = []
    for index, member in enumerate(members):
        found.extend(_entry_problems(index, member, source, reserved))
    if found:
        return found
    counts = Counter(member['name'] for member in members)
    twice = [name for name, count in counts.items() if count > 1]
    if twice:
        found.append('%s lists these names more than once: %s' % (source, ', '.join(twice)))
    uids = Counter(member['uid'] for member in members if member.get('uid') is not None)
    shared = sorted(uid for uid, count in uids.items() if count > 1)
    if shared:
        found.append('%s gives these UIDs to more than one member: %s' % (source, ', '.join(str(uid) for uid in shared)))
    bad_hashes = [member['name'] for member in members if 'password_hash' in member
                  and not (isinstance(member['password_hash'], string_types) and PASSWORD_HASH_PATTERN.match(member['password_hash']))]
    if bad_hashes:
        found.append("%s: the password_hash of %s is not a crypt(3) hash (like '$6$...' or '$y$...')."
                     " Make one with: mkpasswd -m sha-512" % (source, ', '.join(bad_hashes)))
    return found


def checked(members, source=DEFAULT_SOURCE):
    """The list itself, after ``problems`` found nothing; TeamError otherwise."""
    found = problems(members, source)
    if found:
        raise TeamError(' '.join(found))
    return members


def present(members, source=DEFAULT_SOURCE):
    """The members to create or keep: state present, or no state."""
    return [member for member in checked(members, source) if member.get('state', 'present') == 'present']


def absent(members, source=DEFAULT_SOURCE):
    """The names of the members set to absent (to retire), in list order."""
    return [member['name'] for member in checked(members, source) if member.get('state', 'present') == 'absent']


def admins(members, source=DEFAULT_SOURCE):
    """The sorted names of the present members with admin true."""
    return sorted(member['name'] for member in present(members, source) if flag(member.get('admin', False)))


def groups(members, source=DEFAULT_SOURCE):
    """Each group named by a present member, with the sorted names of its present members."""
    found = {}
    for member in present(members, source):
        for group in member.get('groups', []):
            found.setdefault(group, set()).add(member['name'])
    return {group: sorted(found[group]) for group in sorted(found)}


def uid_problems(members, hosts, host, uid_min=1000, uid_max=59999, source=DEFAULT_SOURCE):
    """Why the ``uid`` of a present member cannot be, on HOST, one message each (none:
    they all can be); see ``uids_for`` for ``hosts``. A ``uid`` must match the member's
    account on every host (TeamHub never renumbers an account: its files would change
    owner), must not belong to another account or a retired member on HOST, and must lie
    between ``uid_min`` and ``uid_max``."""
    accounts = hosts[host]['accounts']
    retired = set(hosts[host].get('retired', []))
    found = []
    for member in present(members, source):
        name, uid = member['name'], member.get('uid')
        if uid is None:
            continue
        for other, seen in sorted(hosts.items()):
            if seen['accounts'].get(name, uid) != uid:
                found.append('%s[%s].uid is %d, but %s has UID %d on %s: TeamHub never renumbers an account (its '
                             'files would change owner). Remove the uid, or renumber the account by hand.'
                             % (source, name, uid, name, seen['accounts'][name], other))
        owner = sorted(account for account, number in accounts.items() if number == uid and account != name)
        if owner:
            found.append('%s[%s].uid %d belongs to %s on %s.' % (source, name, uid, owner[0], host))
        elif uid in retired and name not in accounts:
            found.append('%s[%s].uid %d belonged to a retired member on %s: their files there would become %s\'s.'
                         % (source, name, uid, host, name))
        if not uid_min <= uid <= uid_max:
            found.append('%s[%s].uid %d is outside users_uid_min-users_uid_max (%d-%d).'
                         % (source, name, uid, uid_min, uid_max))
    for member in present(members, source):
        name = member['name']
        if member.get('uid') is not None or name in accounts:
            continue
        found.extend(_taken_here('%s has UID' % name, name, 'account', accounts, retired, hosts, host, 'accounts',
                                 'give %s[%s] a uid free on every host' % (source, name)))
    return found


def _agreed(name, hosts, table):
    """(number, where): the UID or GID NAME has on every host of HOSTS that has it in
    TABLE ('accounts' or 'groups'), and those hosts; number is None when they differ or
    no host has NAME."""
    where = dict((other, seen[table][name]) for other, seen in sorted(hosts.items()) if name in seen.get(table, {}))
    numbers = set(where.values())
    return (numbers.pop() if len(numbers) == 1 else None), sorted(where)


def _taken_here(what, name, kind, here, retired, hosts, host, table, remedy):
    """The message when NAME, missing on HOST, has one number on the other hosts and
    that number is another's (or a retired member's) on HOST: HOST cannot have it, and
    any other number would differ from the other hosts' (files on shared storage would
    change owner between hosts)."""
    number, elsewhere = _agreed(name, hosts, table)
    if number is None:
        return []
    owner = sorted(other for other, taken in here.items() if taken == number and other != name)
    if not owner and number not in retired:
        return []
    holder = ('the %s %s' % (kind, owner[0])) if owner else 'a retired member'
    fix = ('Renumber %s on %s by hand, or %s.' % (holder, host, remedy)) if owner else (remedy[0].upper() + remedy[1:] + '.')
    return ['%s %d on %s, but on %s %d is %s\'s: %s would have another number there than on the other hosts, and '
            'shared files another owner. %s' % (what, number, ', '.join(elsewhere), host, number, holder, name, fix)]


def gid_problems(names, hosts, host, gid_min=1000, gid_max=59999):
    """Why the groups NAMES missing on HOST cannot get the GID they have on the other
    hosts there, one message each (see ``gids_for``)."""
    here = hosts[host].get('groups', {})
    retired = set(hosts[host].get('retired', []))
    found = []
    for name in names:
        if name not in here:
            found.extend(_taken_here('the group %s has GID' % name, name, 'group', here, retired, hosts, host, 'groups',
                                     'rename it on the other hosts'))
    return found


def uids_for(members, hosts, host, uid_min=1000, uid_max=59999, source=DEFAULT_SOURCE):
    """The UIDs to create the present members missing on HOST with, the same on every host.

    ``hosts``: for every host of the run, {'accounts': {name: uid}, 'retired': [uid, ...]}
    (every account of the host, and the UIDs of members retired there, never handed out
    again). A member's UID is, in this order: its ``uid`` in the list; the UID it has on
    the other hosts, when they agree and it is free here; else the next UID above every
    UID in use or retired on any host (skipping the list's own), so that a member new
    everywhere gets one UID everywhere. Raises TeamError with the messages of
    ``uid_problems``.
    """
    found = uid_problems(members, hosts, host, uid_min, uid_max, source)
    if found:
        raise TeamError(' '.join(found))
    accounts = hosts[host]['accounts']
    wanted = dict((member['name'], member['uid']) for member in present(members, source) if member.get('uid') is not None)
    taken = set()
    for seen in hosts.values():
        taken.update(uid for uid in seen['accounts'].values() if uid_min <= uid <= uid_max)
        taken.update(seen.get('retired', []))
    used_here = set(accounts.values()) | set(hosts[host].get('retired', []))
    following = max([uid for uid in taken if uid <= uid_max] + [uid_min - 1]) + 1
    chosen = {}
    for member in present(members, source):
        name = member['name']
        if name in accounts:
            continue
        if name in wanted:
            chosen[name] = wanted[name]
            continue
        # used_here: the host's accounts and retired UIDs (uid_problems stopped the run
        # when another account has this member's number here) and those chosen above.
        number = _agreed(name, hosts, 'accounts')[0]
        if number is not None and number not in used_here and uid_min <= number <= uid_max:
            chosen[name] = number
        else:
            while following in wanted.values():
                following += 1
            chosen[name] = following
            following += 1
        used_here.add(chosen[name])
    return chosen


def gids_for(names, hosts, host, gid_min=1000, gid_max=59999):
    """The GIDs to create the groups NAMES (those missing on HOST) with, the same on every host.

    ``hosts``: for every host of the run, {'groups': {name: gid}, 'retired': [id, ...]}
    (every group of the host, and the IDs of members retired there). A group's GID is the
    one it has on the other hosts, when they agree and it is free here; else the next GID
    above every GID in use and every ID retired on any host (between ``gid_min`` and
    ``gid_max``), so that a group new everywhere gets one GID everywhere, in the order of
    NAMES. A group HOST has keeps its GID: TeamHub never renumbers one (its files would
    change group). Raises TeamError with the messages of ``gid_problems``.
    """
    found = gid_problems(names, hosts, host, gid_min, gid_max)
    if found:
        raise TeamError(' '.join(found))
    here = hosts[host].get('groups', {})
    taken = set()
    for seen in hosts.values():
        taken.update(gid for gid in seen.get('groups', {}).values() if gid_min <= gid <= gid_max)
        taken.update(seen.get('retired', []))
    used_here = set(here.values())
    following = max([gid for gid in taken if gid <= gid_max] + [gid_min - 1]) + 1
    chosen = {}
    for name in names:
        if name in here or name in chosen:
            continue
        number = _agreed(name, hosts, 'groups')[0]
        if number is not None and number not in used_here and gid_min <= number <= gid_max:
            chosen[name] = number
        else:
            while following in used_here:
                following += 1
            chosen[name] = following
            following += 1
        used_here.add(chosen[name])
    return chosen
