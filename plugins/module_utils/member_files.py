# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The files root keeps for every member, for the whole team in one call.

Used by the ``teamhub.jupyter.member_files`` module; nothing here depends on
AnsibleModule, so every function can be unit-tested directly.

For each member: the home stays private (owner and mode), the member's SSH keys
are written to a root-owned file outside the home, and the shared team
directory is linked into the home. One call does this for every member, where
the role used to run three tasks with a loop item each.

Members own what is inside their homes, so root never follows a path there: the
home is opened with ``O_NOFOLLOW`` and everything in it is done relative to that
descriptor (``dir_fd``) without following links. A member whose home is a link
or who put a file of their own where the shared link belongs gets an error or a
skip for themselves; every other member is still done.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import errno
import os
import pwd
import stat

from ansible_collections.teamhub.jupyter.plugins.module_utils import paths, team

KEYS_MODE = 0o644
_NAME = team.NAME_PATTERN
DEFAULT_HEADER = '# Managed by Ansible (teamhub.jupyter.users) from users_accounts: edits here are replaced.'


class MemberFilesError(Exception):
    """A problem the user can fix; the message says what and how."""


def check_members(members):
    """Refuse names that could leave their directory and keys that would add lines."""
    seen = set()
    for member in members:
        name = member.get('name')
        if not isinstance(name, str) or not _NAME.match(name) or name in ('.', '..'):
            raise MemberFilesError('members: %r is not a POSIX user name' % (name,))
        if name in seen:
            raise MemberFilesError('members: %s is listed twice' % name)
        seen.add(name)
        for key in member.get('ssh_keys') or []:
            if '\n' in key or '\r' in key or not key.strip():
                raise MemberFilesError('members: a key of %s is empty or spans lines; one key per entry' % name)


def keys_content(keys, header=DEFAULT_HEADER):
    """The authorized keys file of a member: the header, then one key per line."""
    return ''.join(line + '\n' for line in [header] + list(keys or []))


def _read_keys(path):
    """(content, stat) of a keys file, (None, None) when there is none, never through a link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ELOOP):
            return None, None
        raise
    try:
        st = os.fstat(fd)
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b''.join(chunks).decode('utf-8', 'replace'), st
    finally:
        os.close(fd)


def write_keys(keys_dir, name, content, check_mode=False):
    """Write keys_dir/name (root's, 0644) when its content, owner or mode differ.

    Returns the old content ('' when there was no file) when it changed, None when not."""
    path = os.path.join(keys_dir, name)
    old, st = _read_keys(path)
    if old == content and st is not None and stat.S_ISREG(st.st_mode) and (st.st_uid, st.st_gid) == (0, 0) \
            and stat.S_IMODE(st.st_mode) == KEYS_MODE:
        return None
    if not check_mode:
        # The rename replaces a link or a file in its place, never writes through it.
        paths.replace_file(path, content.encode('utf-8'), 0, 0, KEYS_MODE)
    return old or ''


def _open_home(home):
    """A descriptor of the home directory itself, refusing a link or a non-directory."""
    try:
        return paths.open_directory(home)
    except paths.NotADirectory as exc:
        if exc.why == paths.IS_LINK:
            raise MemberFilesError('home %s is a symlink; root never follows it (move it away and run again)' % home)
        raise MemberFilesError('home %s %s' % (home, 'does not exist' if exc.why == paths.MISSING else 'is not a directory'))


def fix_home(fd, uid, mode, check_mode=False):
    """Give the home (open as fd) to uid with mode; the old (uid, mode) when that changed, else None."""
    st = os.fstat(fd)
    before = (st.st_uid, stat.S_IMODE(st.st_mode))
    if before == (uid, mode):
        return None
    if not check_mode:
        if st.st_uid != uid:
            os.fchown(fd, uid, -1)
        os.fchmod(fd, mode)
    return before


def link_shared(fd, link, target, uid, gid, check_mode=False):
    """Make link (a name in the home open as fd) a symlink to target owned by the member.

    Returns 'linked' (made or corrected), 'skipped' (the member's own file or directory is
    there: left alone) or None (already right)."""
    try:
        st = os.stat(link, dir_fd=fd, follow_symlinks=False)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise
        st = None
    if st is not None and not stat.S_ISLNK(st.st_mode):
        return 'skipped'
    if st is not None and os.readlink(link, dir_fd=fd) == target and (st.st_uid, st.st_gid) == (uid, gid):
        return None
    if check_mode:
        return 'linked'
    if st is not None and os.readlink(link, dir_fd=fd) != target:
        os.unlink(link, dir_fd=fd)
        st = None
    if st is None:
        try:
            os.symlink(target, link, dir_fd=fd)
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                return 'skipped'  # the member made something there just now
            raise
    os.chown(link, uid, gid, dir_fd=fd, follow_symlinks=False)
    return 'linked'


def apply(members, keys_dir, home_mode, shared_dir='', shared_link='', header=DEFAULT_HEADER,
          check_mode=False, getpwnam=pwd.getpwnam):
    """Keep every member's home, keys file and shared link; see the module's documentation.

    Returns a dict: homes, keys, links, links_skipped (member names), errors ({name: message}),
    diffs (a list of Ansible diff dicts)."""
    check_members(members)
    result = {'homes': [], 'keys': [], 'links': [], 'links_skipped': [], 'errors': {}, 'diffs': []}
    for member in members:
        name = member['name']
        content = keys_content(member.get('ssh_keys'), header)
        try:
            try:
                account = getpwnam(name)
            except KeyError:
                # In check mode the task before only planned to create it.
                if not check_mode:
                    raise MemberFilesError('there is no account %s' % name)
                account = None
            old = write_keys(keys_dir, name, content, check_mode)
            if old is not None:
                result['keys'].append(name)
                result['diffs'].append({'before_header': os.path.join(keys_dir, name), 'before': old,
                                        'after_header': os.path.join(keys_dir, name), 'after': content})
            if account is None:
                continue
            fd = _open_home(account.pw_dir)
            try:
                before = fix_home(fd, account.pw_uid, home_mode, check_mode)
                if before is not None:
                    result['homes'].append(name)
                    result['diffs'].append({
                        'before_header': account.pw_dir, 'after_header': account.pw_dir,
                        'before': 'owner %d, mode %04o\n' % before,
                        'after': 'owner %d, mode %04o\n' % (account.pw_uid, home_mode)})
                if shared_link:
                    outcome = link_shared(fd, shared_link, shared_dir, account.pw_uid, account.pw_gid, check_mode)
                    if outcome == 'linked':
                        result['links'].append(name)
                    elif outcome == 'skipped':
                        result['links_skipped'].append(name)
            finally:
                os.close(fd)
        except MemberFilesError as exc:
            result['errors'][name] = str(exc)
        except OSError as exc:
            result['errors'][name] = '%s: %s' % (exc.filename or name, exc.strerror)
    return result
