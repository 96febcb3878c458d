# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A role's configuration files written in one call, as plain functions.

Used by the ``teamhub.jupyter.managed_files`` module (its action plugin renders the
templates on the controller); nothing here depends on AnsibleModule, so every function
can be unit-tested directly.

Entries with ``state: directory`` are directories, made (or given their owner and
mode) before any file is written.

``survey`` reads every file and resolves every owner first: an unknown user or group,
a bad mode or a missing parent directory fails before anything changes. ``apply`` then
writes each new content beside its file (``paths.stage_file``: owner and mode set
before anything is written) and runs its ``validate`` command; only when every check
passed are owners and modes corrected through a descriptor, the files set to absent
removed and the new files renamed into place. Nothing is followed: a symlink where a
file belongs is replaced, never written through.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import errno
import grp
import os
import pwd
import re
import shlex
import stat

from ansible_collections.teamhub.jupyter.plugins.module_utils import paths

MODE_PATTERN = re.compile(r'^0?[0-7]{3,4}\Z')


class ManagedFileError(Exception):
    """A problem the user can fix; the message names the file and what was wrong."""


class ValidationFailed(ManagedFileError):
    """A validate command refused a new file: the old one stays."""


def parse_mode(dest, mode):
    """An int mode from '0644', '644' or an int; ManagedFileError naming dest otherwise."""
    if isinstance(mode, int) and not isinstance(mode, bool) and 0 <= mode <= 0o7777:
        return mode
    if isinstance(mode, str) and MODE_PATTERN.match(mode):
        return int(mode, 8)
    raise ManagedFileError('%s: mode %r is not an octal mode such as 0644' % (dest, mode))


def _ids(dest, owner, group, check_mode=False):
    """uid and gid of owner and group. In check mode an account a task before this one
    would have made is no error: its id is -1 (never equal to a file's)."""
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        if not check_mode:
            raise ManagedFileError('%s: owner %r is not a user on this host' % (dest, owner))
        uid = -1
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        if not check_mode:
            raise ManagedFileError('%s: group %r is not a group on this host' % (dest, group))
        gid = -1
    return uid, gid


def read_current(dest):
    """(kind, content bytes or None, stat or None) of dest, never following a link.

    kind is 'missing', 'link', 'file' or 'other'."""
    try:
        fd = os.open(dest, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return 'missing', None, None
        if exc.errno == errno.ELOOP:
            return 'link', None, None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return 'other', None, st
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        return 'file', b''.join(chunks), st
    finally:
        os.close(fd)


def survey(entries, check_mode=False):
    """One plan per entry (dicts with dest, content, owner, group, mode, validate, state).

    Raises ManagedFileError for the first entry that cannot be written, before
    anything changes. In check mode a missing directory is no error: a task before
    this one would have made it."""
    plans, seen, planned_dirs = [], set(), set()
    for entry in entries:
        dest = entry['dest']
        if not os.path.isabs(dest) or dest.endswith('/'):
            raise ManagedFileError('%s: dest must be an absolute path to a file' % dest)
        if dest in seen:
            raise ManagedFileError('%s is listed twice' % dest)
        seen.add(dest)
        state = entry.get('state') or 'present'
        if state == 'directory':
            plans.append(_survey_directory(entry, dest, check_mode))
            planned_dirs.add(dest)
            continue
        kind, current, st = read_current(dest)
        if kind == 'other':
            raise ManagedFileError('%s is not a regular file; remove what stands there first' % dest)
        plan = dict(dest=dest, state=state, kind=kind, current=current)
        if state == 'absent':
            plan['action'] = 'remove' if kind != 'missing' else 'none'
            plans.append(plan)
            continue
        parent = os.path.dirname(dest)
        if not check_mode and parent not in planned_dirs and not os.path.isdir(parent):
            raise ManagedFileError('%s: its directory %s does not exist' % (dest, parent))
        content = entry.get('content') or ''
        data = content.encode('utf-8') if not isinstance(content, bytes) else content
        mode = parse_mode(dest, entry.get('mode') or '0644')
        uid, gid = _ids(dest, entry.get('owner') or 'root', entry.get('group') or 'root', check_mode)
        plan.update(data=data, mode=mode, uid=uid, gid=gid, validate=entry.get('validate'))
        if kind != 'file' or current != data:
            plan['action'] = 'create' if kind == 'missing' else 'write'
        elif (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) != (uid, gid, mode):
            plan['action'] = 'attributes'
        else:
            plan['action'] = 'none'
        plans.append(plan)
    return plans


def _survey_directory(entry, dest, check_mode):
    """The plan of a directory entry. A directory is stat'ed through links, as the file
    module does: these are paths of root's own choosing (a prefix moved to another
    disk by a link keeps working)."""
    mode = parse_mode(dest, entry.get('mode') or '0755')
    uid, gid = _ids(dest, entry.get('owner') or 'root', entry.get('group') or 'root', check_mode)
    plan = dict(dest=dest, state='directory', mode=mode, uid=uid, gid=gid)
    try:
        st = os.stat(dest)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise
        # Missing parents are made root:root 0755, as the file module makes them.
        plan['action'] = 'mkdir'
        return plan
    if not stat.S_ISDIR(st.st_mode):
        raise ManagedFileError('%s is not a directory; remove what stands there first' % dest)
    same = (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (uid, gid, mode)
    plan['action'] = 'none' if same else 'attributes'
    return plan


def _describe_directory(plan):
    return 'directory, owner %d, group %d, mode %04o\n' % (plan['uid'], plan['gid'], plan['mode'])


def validate_command(validate, path):
    """The argv of a validate command ('... %s ...') for the new file at path."""
    if '%s' not in validate:
        raise ManagedFileError('validate must name the new file as %%s: %r' % validate)
    return [arg.replace('%s', path) for arg in shlex.split(validate)]


def _set_attributes(plan):
    flags = os.O_RDONLY | os.O_NONBLOCK
    if plan['state'] == 'directory':
        flags |= os.O_DIRECTORY
    else:
        flags |= os.O_NOFOLLOW
    fd = os.open(plan['dest'], flags)
    try:
        os.fchown(fd, plan['uid'], plan['gid'])
        # After chown: the kernel clears setuid/setgid bits on chown.
        os.fchmod(fd, plan['mode'])
    finally:
        os.close(fd)


def apply(entries, run_command, check_mode=False):
    """Bring every file to its entry. run_command(argv) -> (rc, stdout, stderr) runs
    validate commands. Returns a dict: files (dest and what was done, per entry) and
    diffs (Ansible diff dicts for the files whose content changes).

    Every new content is written beside its file and checked first; only when all
    passed are they renamed into place, so a failed check changes nothing."""
    plans = survey(entries, check_mode)
    files, diffs = [], []
    for plan in plans:
        action = plan['action']
        files.append(dict(dest=plan['dest'], action=action))
        if action == 'mkdir':
            diffs.append(dict(before_header=plan['dest'], after_header=plan['dest'],
                              before='', after=_describe_directory(plan)))
        elif action in ('create', 'write', 'remove'):
            diffs.append(dict(
                before_header=plan['dest'],
                after_header=plan['dest'],
                before=(plan['current'] or b'').decode('utf-8', 'replace'),
                after=plan.get('data', b'').decode('utf-8', 'replace') if action != 'remove' else '',
            ))
    if check_mode:
        return dict(files=files, diffs=diffs)
    # Directories first: the files below may go into them.
    for plan in plans:
        if plan['state'] != 'directory' or plan['action'] == 'none':
            continue
        if plan['action'] == 'mkdir':
            parent = os.path.dirname(plan['dest'])
            if not os.path.isdir(parent):
                os.makedirs(parent, 0o755)
            os.mkdir(plan['dest'], 0o700)
        _set_attributes(plan)
    staged = []
    try:
        for plan in plans:
            if plan['action'] not in ('create', 'write'):
                continue
            tmp = paths.stage_file(plan['dest'], plan['data'], plan['uid'], plan['gid'], plan['mode'])
            staged.append((tmp, plan))
            if plan['validate']:
                rc, out, err = run_command(validate_command(plan['validate'], tmp))
                if rc != 0:
                    raise ValidationFailed(
                        '%s: the new content failed its check (%s), nothing was changed: %s'
                        % (plan['dest'], plan['validate'], (err or out).strip()[-2000:]))
        for plan in plans:
            if plan['action'] == 'attributes' and plan['state'] != 'directory':
                _set_attributes(plan)
            elif plan['action'] == 'remove':
                os.unlink(plan['dest'])
        while staged:
            tmp, plan = staged.pop(0)
            os.rename(tmp, plan['dest'])
    finally:
        for tmp, plan in staged:
            os.unlink(tmp)
    return dict(files=files, diffs=diffs)
