# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Opening a directory root works in, and replacing a file in it, without ever
following a link.

Shared by the modules that walk or write where another account may have put a
link (members' homes, trees root runs code from, root's own key and secret files).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import errno
import os
import tempfile

# Why a directory could not be opened: what callers turn into their own message.
IS_LINK, NOT_DIR, MISSING = 'a symlink', 'not a directory', 'missing'


class NotADirectory(Exception):
    """path could not be opened as a directory; ``why`` is IS_LINK, NOT_DIR or MISSING."""

    def __init__(self, path, why):
        super(NotADirectory, self).__init__('%s is %s' % (path, why))
        self.path, self.why = path, why


def open_directory(path):
    """A read-only descriptor of the directory path itself, never of a link's target.

    Raises NotADirectory when path is a link, not a directory or missing; other
    OSErrors (permissions) as they are."""
    try:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        # With O_DIRECTORY, Linux reports a link as ENOTDIR (ELOOP without it).
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(path):
            raise NotADirectory(path, IS_LINK)
        if exc.errno == errno.ENOTDIR:
            raise NotADirectory(path, NOT_DIR)
        if exc.errno == errno.ENOENT:
            raise NotADirectory(path, MISSING)
        raise


def stage_file(path, data, uid, gid, mode):
    """A new file beside path holding data (bytes), owned by uid:gid with mode set before
    anything is written, whole on disk; returns its path. rename() it over path to
    replace path in one step, or unlink it."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.%s.' % os.path.basename(path))
    try:
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        os.write(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def replace_file(path, data, uid, gid, mode):
    """Replace path with a file holding data (bytes), owned by uid:gid with mode.

    The content goes to a new file in the same directory (stage_file) and is renamed
    over path once it is whole on disk: a reader sees the old file or the new one,
    never a part, and a link at path is replaced, never written through. On any
    failure the new file is removed and path is left as it was."""
    tmp = stage_file(path, data, uid, gid, mode)
    try:
        os.rename(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
