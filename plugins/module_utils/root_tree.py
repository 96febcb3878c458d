# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Keep a directory tree root's alone, as plain functions.

Used by the ``teamhub.jupyter.root_tree`` module; nothing here depends on
AnsibleModule, so every function can be unit-tested directly.

Root runs code from trees such as the shared conda prefix and the proxy's npm
prefix, so nothing in them may belong to another account or be writable by
group or others. ``scan`` lists what is not so; ``fix`` gives it back to root.

Nothing is ever followed: the walk goes through directory file descriptors
(``os.fwalk``) and never into a symlink; a symlink's own owner is changed,
never its target's, and its mode (meaningless on Linux) is left alone. The
walk fixes a directory before it reads its entries, so once a directory is
root's nobody else can swap one of its entries for a link while the walk is
in it. Ownership goes first and the mode is then read again: chown clears
set-user-ID and set-group-ID bits, and the new mode must not put them back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import stat

from ansible_collections.teamhub.jupyter.plugins.module_utils import paths

# Write permission for group and others.
GO_WRITE = stat.S_IWGRP | stat.S_IWOTH
# How many entries a result names; the count is always complete.
MAX_LISTED = 20


class RootTreeError(Exception):
    """A problem the user can fix; the message says what and how."""


def _problem(st, uid, gid):
    """What is wrong with an entry of stat result st ('' when nothing)."""
    wrong = []
    if st.st_uid != uid or st.st_gid != gid:
        wrong.append('owned by %d:%d' % (st.st_uid, st.st_gid))
    if not stat.S_ISLNK(st.st_mode) and st.st_mode & GO_WRITE:
        wrong.append('mode %04o' % stat.S_IMODE(st.st_mode))
    return ', '.join(wrong)


def _check_top(path):
    """stat of the tree's top; refuses a relative path, a missing top, a link or a non-directory."""
    if not os.path.isabs(path):
        raise RootTreeError('%s is not an absolute path' % path)
    try:
        fd = paths.open_directory(path)
    except paths.NotADirectory as exc:
        raise RootTreeError({
            paths.IS_LINK: '%s is a symlink; give the directory itself, a tree root owns is never reached through a link',
            paths.NOT_DIR: '%s is not a directory',
            paths.MISSING: 'cannot read %s: No such file or directory',
        }[exc.why] % path)
    except OSError as exc:
        raise RootTreeError('cannot read %s: %s' % (path, exc.strerror))
    try:
        return os.fstat(fd)
    finally:
        os.close(fd)


def _fix_entry(name, dir_fd, st, uid, gid):
    """Give one entry (name relative to dir_fd, or an absolute path with dir_fd None) to uid:gid,
    without write permission for group and others."""
    if st.st_uid != uid or st.st_gid != gid:
        os.chown(name, uid, gid, dir_fd=dir_fd, follow_symlinks=False)
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    if not stat.S_ISLNK(st.st_mode) and st.st_mode & GO_WRITE:
        # Not a link (lstat above); its directory is already uid's alone, so nobody can have
        # swapped it for one since.
        os.chmod(name, stat.S_IMODE(st.st_mode) & ~GO_WRITE, dir_fd=dir_fd)


def walk(path, uid=0, gid=0, fix=False):
    """Find (and with fix=True, correct) every entry under path, path included, that is not
    owned by uid:gid or that group or others may write.

    Returns ``{'count': N, 'entries': [{'path': ..., 'problem': ...}, ...]}`` with at most
    MAX_LISTED entries listed (the first found, top-down) and the full count.
    """
    found = {'count': 0, 'entries': []}

    def note(entry_path, problem):
        found['count'] += 1
        if len(found['entries']) < MAX_LISTED:
            found['entries'].append({'path': entry_path, 'problem': problem})

    top = _check_top(path)
    problem = _problem(top, uid, gid)
    if problem:
        note(path, problem)
        if fix:
            _fix_entry(path, None, top, uid, gid)
    errors = []
    for dirpath, dirnames, filenames, dir_fd in os.fwalk(path, follow_symlinks=False, onerror=errors.append):
        for name in dirnames + filenames:
            try:
                st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                continue  # gone since the directory was read
            problem = _problem(st, uid, gid)
            if problem:
                note(os.path.join(dirpath, name), problem)
                if fix:
                    _fix_entry(name, dir_fd, st, uid, gid)
    if errors:
        raise RootTreeError('cannot read all of %s: %s' % (path, errors[0]))
    return found


def scan(path, uid=0, gid=0):
    """What walk(fix=True) would correct, changing nothing."""
    return walk(path, uid, gid, fix=False)


def fix(path, uid=0, gid=0):
    """Correct every entry scan() reports; returns what it corrected."""
    return walk(path, uid, gid, fix=True)


def describe(found):
    """One line per listed entry, and how many more, for a diff or a message."""
    lines = ['%s: %s' % (entry['path'], entry['problem']) for entry in found['entries']]
    if found['count'] > len(found['entries']):
        lines.append('... and %d more' % (found['count'] - len(found['entries'])))
    return '\n'.join(lines) + ('\n' if lines else '')
