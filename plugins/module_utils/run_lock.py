# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A host-side lock that keeps two TeamHub runs from interleaving, as plain functions.

Used by the ``teamhub.jupyter.run_lock`` module; nothing here depends on
AnsibleModule, so every function can be unit-tested directly.

The lock is one small JSON file (``run_id``, ``holder``, ``acquired``) in a
directory only its owner (root) can write. A run creates it whole: the
content goes into a temporary file beside it (``O_CREAT|O_EXCL``, mode 0600),
which is then hard-linked to the lock's name; the link fails if a lock is
already there, so exactly one run gets it and nobody ever reads a half-written
lock. Neither the lock nor its directory is ever followed as a symlink: every
operation works relative to the directory opened with ``O_NOFOLLOW``.

Taking over a lock (``break_lock``, or a lock older than ``stale_after``) and
releasing one read the lock and then replace or remove it; both run under an
``flock`` of the lock's directory, held for milliseconds, so that two runs
cannot both take over the same lock or remove each other's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import binascii
import errno
import fcntl
import json
import os
import stat
import time

DEFAULT_PATH = '/run/teamhub/run.lock'
DEFAULT_STALE_AFTER = 21600
DIR_MODE = 0o700
FILE_MODE = 0o600
POLL_INTERVAL = 1.0
MAX_RUN_ID = 128
MAX_HOLDER = 1000
# The playbook variable that breaks a lock, named in the messages.
BREAK_HINT = '-e teamhub_lock_break=true'


class RunLockError(Exception):
    """A problem the user can fix; the message says what and how."""


class LockHeld(RunLockError):
    """Another run holds the lock; ``lock`` describes it (see ``read_lock``)."""

    def __init__(self, message, lock):
        super(LockHeld, self).__init__(message)
        self.lock = lock


# ---------------------------------------------------------------- arguments


def validate(path, run_id, holder='', wait=0, stale_after=DEFAULT_STALE_AFTER):
    """Raise RunLockError naming the first argument that is wrong."""
    if not path or not os.path.isabs(path):
        raise RunLockError('path must be an absolute path, got %r' % (path,))
    name = os.path.basename(path)
    if path.endswith('/') or name in ('', '.', '..'):
        raise RunLockError('path must name a file, got %r' % (path,))
    if run_id is None or not str(run_id).strip():
        raise RunLockError('run_id must not be empty')
    if len(run_id) > MAX_RUN_ID:
        raise RunLockError('run_id must be at most %d characters, got %d' % (MAX_RUN_ID, len(run_id)))
    if any(ord(char) < 32 or ord(char) == 127 for char in run_id):
        raise RunLockError('run_id must not contain control characters, got %r' % (run_id,))
    if holder is not None and len(holder) > MAX_HOLDER:
        raise RunLockError('holder must be at most %d characters, got %d' % (MAX_HOLDER, len(holder)))
    if wait is None or wait < 0:
        raise RunLockError('wait must be 0 or more seconds, got %r' % (wait,))
    if stale_after is None or stale_after <= 0:
        raise RunLockError('stale_after must be a positive number of seconds, got %r' % (stale_after,))


def format_time(timestamp):
    """UTC ISO 8601 time to the second, e.g. 2026-12-04T17:00:00Z."""
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(timestamp))


def format_duration(seconds):
    seconds = int(seconds)
    if seconds >= 3600 and seconds % 3600 == 0:
        return '%d h' % (seconds // 3600)
    if seconds >= 60 and seconds % 60 == 0:
        return '%d min' % (seconds // 60)
    return '%d s' % seconds


def lock_text(run_id, holder, acquired):
    """The lock file's content (stable: sorted keys)."""
    return json.dumps({'run_id': run_id, 'holder': holder or '', 'acquired': acquired}, sort_keys=True) + '\n'


# ---------------------------------------------------------------- the directory


class _Directory:
    """The lock's directory, opened without following symlinks; ``fd`` is None if it is missing."""

    def __init__(self, path, create):
        self.path = path
        self.fd = None
        self._open(create)

    def _open(self, create):
        missing = []
        directory = self.path
        while not os.path.lexists(directory):
            missing.append(directory)
            directory = os.path.dirname(directory)
        if missing and not create:
            return
        for new in reversed(missing):
            try:
                os.mkdir(new, DIR_MODE)
            except OSError as exc:
                if exc.errno != errno.EEXIST:
                    raise RunLockError('cannot create the lock directory %s: %s' % (new, exc.strerror))
            else:
                os.chmod(new, DIR_MODE)
        if os.path.islink(self.path):
            raise RunLockError('the lock directory %s is a symlink; refusing to follow it. '
                               'Remove the link or choose another path' % self.path)
        try:
            self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise RunLockError('the lock directory %s is a symlink; refusing to follow it. '
                                   'Remove the link or choose another path' % self.path)
            if exc.errno == errno.ENOTDIR:
                raise RunLockError('the lock directory %s is not a directory' % self.path)
            raise RunLockError('cannot open the lock directory %s: %s' % (self.path, exc.strerror))
        info = os.fstat(self.fd)
        if info.st_uid != os.geteuid():
            self.close()
            raise RunLockError('the lock directory %s belongs to UID %d, not to the user this run acts as (UID %d): '
                               'another account could remove or plant the lock. Remove it or choose another path'
                               % (self.path, info.st_uid, os.geteuid()))
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            self.close()
            raise RunLockError('the lock directory %s is writable by group or others (mode %04o): another account '
                               'could remove or plant the lock. Choose a directory only root can write'
                               % (self.path, stat.S_IMODE(info.st_mode)))

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def exclusive(self):
        """flock the directory: acquire, take-over and release are serialised."""
        return _Flock(self.fd)


class _Flock:
    def __init__(self, fd):
        self.fd = fd

    def __enter__(self):
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc_info):
        fcntl.flock(self.fd, fcntl.LOCK_UN)


# ---------------------------------------------------------------- reading


def read_lock(path, directory=None):
    """Describe the lock at ``path``: ``None`` if there is none, else a dict.

    The dict has ``run_id``, ``holder`` and ``acquired`` (empty strings when the
    file is unreadable), ``text`` (the content as read), ``error`` (why the file
    is unreadable, or ``None``) and ``mtime``. A symlink or anything other than
    a regular file in the lock's place raises RunLockError.
    """
    name = os.path.basename(path)
    own = directory is None
    if own:
        directory = _Directory(os.path.dirname(path), create=False)
    try:
        if directory.fd is None:
            return None
        try:
            info = os.stat(name, dir_fd=directory.fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise RunLockError('cannot read the lock %s: %s' % (path, exc.strerror))
        if stat.S_ISLNK(info.st_mode):
            raise RunLockError('the lock %s is a symlink; refusing to follow it. Remove the link (no TeamHub run '
                               'writes one)' % path)
        if not stat.S_ISREG(info.st_mode):
            raise RunLockError('the lock %s is not a regular file; remove it' % path)
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=directory.fd)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise RunLockError('cannot read the lock %s: %s' % (path, exc.strerror))
        with os.fdopen(fd, 'rb') as handle:
            data = handle.read(65536)
    finally:
        if own:
            directory.close()
    return parse_lock(data, info.st_mtime)


def parse_lock(data, mtime):
    """The lock description of ``read_lock`` from the file's bytes and mtime."""
    lock = {'run_id': '', 'holder': '', 'acquired': '', 'text': data.decode('utf-8', 'replace'),
            'error': None, 'mtime': mtime}
    try:
        content = json.loads(lock['text'])
    except ValueError:
        lock['error'] = 'empty' if not lock['text'].strip() else 'not JSON'
        return lock
    if not isinstance(content, dict):
        lock['error'] = 'not a JSON object'
    elif not isinstance(content.get('run_id'), str) or not content['run_id']:
        lock['error'] = 'no run_id'
    else:
        lock['run_id'] = content['run_id']
        lock['holder'] = content.get('holder') if isinstance(content.get('holder'), str) else ''
        lock['acquired'] = content.get('acquired') if isinstance(content.get('acquired'), str) else ''
    return lock


def _since(lock):
    return lock['acquired'] or format_time(lock['mtime'])


def describe(lock):
    """'run X (holder, since T)' for warnings."""
    if lock['error']:
        return 'an unreadable lock (%s, written %s)' % (lock['error'], format_time(lock['mtime']))
    return 'run %s (%s, since %s)' % (lock['run_id'], lock['holder'] or 'holder unknown', _since(lock))


def held_message(path, lock, stale_after, waited):
    """Why this run stops: who holds the lock since when, and how to clear a lock nobody holds."""
    waited_text = ' (this run waited %s)' % format_duration(waited) if waited else ''
    clear = ('If no run is in progress (an interrupted run leaves the lock until the host reboots, or until it is '
             '%s old), run again with %s, or remove %s.' % (format_duration(stale_after), BREAK_HINT, path))
    if lock['error']:
        return ('Another TeamHub run may hold the lock on this host: the lock %s is unreadable (%s, written %s), so it '
                'counts as held: two runs at once would interleave%s. %s'
                % (path, lock['error'], format_time(lock['mtime']), waited_text, clear))
    return ('Another TeamHub run holds the lock on this host since %s (%s): two runs at once would interleave. '
            'Wait for it to end%s. %s'
            % (_since(lock), lock['holder'] or 'holder unknown, run %s' % lock['run_id'], waited_text, clear))


# ---------------------------------------------------------------- writing


def _write_temporary(directory, name, text):
    """Write ``text`` to a new hidden file beside the lock; return its name."""
    while True:
        tmp = '.%s.%s.tmp' % (name, binascii.hexlify(os.urandom(6)).decode('ascii'))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE, dir_fd=directory.fd)
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                continue
            raise
        break
    try:
        with os.fdopen(fd, 'wb') as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(text.encode('utf-8'))
            handle.flush()
            os.fsync(handle.fileno())
    except Exception:
        os.unlink(tmp, dir_fd=directory.fd)
        raise
    return tmp


def _create(directory, name, text):
    """Create the lock with ``text`` if there is none; return whether this call created it."""
    tmp = _write_temporary(directory, name, text)
    try:
        os.link(tmp, name, src_dir_fd=directory.fd, dst_dir_fd=directory.fd, follow_symlinks=False)
    except OSError as exc:
        if exc.errno == errno.EEXIST:
            return False
        raise
    finally:
        os.unlink(tmp, dir_fd=directory.fd)
    return True


def _replace(directory, name, text):
    tmp = _write_temporary(directory, name, text)
    try:
        os.rename(tmp, name, src_dir_fd=directory.fd, dst_dir_fd=directory.fd)
    except Exception:
        os.unlink(tmp, dir_fd=directory.fd)
        raise


def _result(lock, changed, taken_over=False, warnings=None, before='', after=''):
    return {
        'changed': changed,
        'run_id': lock['run_id'] if lock else '',
        'holder': lock['holder'] if lock else '',
        'acquired': lock['acquired'] if lock else '',
        'taken_over': taken_over,
        'warnings': warnings or [],
        'before': before,
        'after': after,
    }


# ---------------------------------------------------------------- acquire and release


def acquire(path, run_id, holder='', wait=0, stale_after=DEFAULT_STALE_AFTER, break_lock=False,
            check_mode=False, poll=POLL_INTERVAL, clock=time.time, sleep=time.sleep):
    """Take the lock for ``run_id``; return a result dict (see ``_result``).

    The same run holding it already: unchanged (several plays of one run).
    Another run's lock: poll until it is gone or ``wait`` seconds passed, then
    raise LockHeld; but take it over, with a warning naming it, with
    ``break_lock`` or when it is older than ``stale_after`` seconds (by the
    file's mtime, so an unreadable lock ages too). An unreadable lock counts as
    held by another run. In check mode nothing is written (not even the
    directory), but a lock another run holds fails the same way: a check run
    against a host in the middle of a run would report nonsense.
    """
    validate(path, run_id, holder, wait, stale_after)
    started = clock()
    while True:
        now = clock()
        with _Directory(os.path.dirname(path), create=not check_mode) as directory:
            if check_mode:
                result, other = _attempt(path, directory, run_id, holder or '', stale_after, break_lock, now, False)
            else:
                with directory.exclusive():
                    result, other = _attempt(path, directory, run_id, holder or '', stale_after, break_lock, now, True)
        if result is not None:
            return result
        if other is None:
            continue  # released between our two looks: try again at once
        waited = now - started
        if waited >= wait:
            raise LockHeld(held_message(path, other, stale_after, waited if wait else 0), other)
        sleep(max(0.0, min(poll, wait - waited)))


def _attempt(path, directory, run_id, holder, stale_after, break_lock, now, write):
    """One try: ``(result, None)`` when done, ``(None, lock)`` when another run holds
    ``lock``, ``(None, None)`` when the lock went away meanwhile."""
    name = os.path.basename(path)
    mine = {'run_id': run_id, 'holder': holder, 'acquired': format_time(now)}
    text = lock_text(run_id, holder, mine['acquired'])
    if write and _create(directory, name, text):
        return _result(mine, True, after=text), None
    existing = read_lock(path, directory)
    if existing is None:
        return (None, None) if write else (_result(mine, True, after=text), None)
    if not existing['error'] and existing['run_id'] == run_id:
        return _result(existing, False, before=existing['text'], after=existing['text']), None
    why = _takeover_reason(path, existing, stale_after, break_lock, now)
    if why is None:
        return None, existing
    if write:
        _replace(directory, name, text)
    warning = ('took over ' if write else 'check mode: would take over ') + why
    return _result(mine, True, taken_over=True, before=existing['text'], after=text, warnings=[warning]), None


def _takeover_reason(path, lock, stale_after, break_lock, now):
    """Why another run's lock is taken over, or None to wait for it."""
    if break_lock:
        return 'the lock %s of %s: break_lock is set' % (path, describe(lock))
    age = now - lock['mtime']
    if age > stale_after:
        return ('the lock %s of %s: it is %s old, older than stale_after (%s), so taken as abandoned'
                % (path, describe(lock), format_duration(age), format_duration(stale_after)))
    return None


def release(path, run_id, check_mode=False):
    """Remove the lock if ``run_id`` holds it; return a result dict describing the lock as found.

    No lock: unchanged. Another run's lock (or an unreadable one): left in
    place, unchanged, with a warning; a run never removes someone else's lock.
    """
    validate(path, run_id)
    name = os.path.basename(path)
    with _Directory(os.path.dirname(path), create=False) as directory:
        if directory.fd is None:
            return _result(None, False)
        if check_mode:
            return _released(path, read_lock(path, directory), run_id, remove=None)
        with directory.exclusive():
            return _released(path, read_lock(path, directory), run_id,
                             remove=lambda: os.unlink(name, dir_fd=directory.fd))


def _released(path, lock, run_id, remove):
    if lock is None:
        return _result(None, False)
    if lock['error'] or lock['run_id'] != run_id:
        return _result(lock, False, before=lock['text'], after=lock['text'], warnings=[
            'left the lock %s of %s in place: it is not this run\'s (%s), and a run never removes another '
            'run\'s lock' % (path, describe(lock), run_id)])
    if remove is not None:
        remove()
    return _result(lock, True, before=lock['text'], after='')
