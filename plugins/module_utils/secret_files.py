# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Secrets generated on the host once, as plain functions.

Used by the ``teamhub.jupyter.secret_files`` module; nothing here depends on
AnsibleModule, so every function can be unit-tested directly.

A secret file holds a fixed prefix (``CONFIGPROXY_AUTH_TOKEN=`` for an
environment file, or nothing) and random bytes in hex, and belongs to root
alone (0600). ``survey`` reads every file first and refuses before anything
changes when one of them is not a regular file or does not hold a whole
secret; ``apply`` then generates the missing ones and gives the others back to
root, 0600. Nothing is followed: a symlink where a secret belongs is refused.
No function returns or raises a secret's content.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import binascii
import errno
import os
import re
import stat

from ansible_collections.teamhub.jupyter.plugins.module_utils import paths

MODE = 0o600


class SecretFileError(Exception):
    """A problem the user can fix; the message names the files and says how."""


def _pattern(prefix, nbytes):
    return re.compile(re.escape(prefix) + '[0-9a-f]{%d}\n?' % (2 * nbytes))


def _read(path):
    """Content of the regular file at path, without following a link (None when missing)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, 'O_CLOEXEC', 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None, None
        if exc.errno == errno.ELOOP:
            raise SecretFileError('%s is a symlink: a secret file must be a regular file' % path)
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SecretFileError('%s is not a regular file' % path)
        chunks = []
        while True:
            chunk = os.read(fd, 4096)
            if not chunk or sum(len(c) for c in chunks) > 65536:
                break
            chunks.append(chunk)
        return b''.join(chunks).decode('utf-8', 'replace'), st
    finally:
        os.close(fd)


def survey(files, nbytes=32, uid=0, gid=0):
    """What each of files ([{'path', 'prefix'}]) needs: {'generate': [...], 'fix': [...]}.

    Raises SecretFileError, naming every such file, when one is a link, not a regular
    file, or holds no whole secret (empty, short, not hex): nothing may change then."""
    plan = {'generate': [], 'fix': []}
    bad = []
    for item in files:
        path, prefix = item['path'], item.get('prefix') or ''
        if not os.path.isabs(path):
            raise SecretFileError('%s is not an absolute path' % path)
        try:
            content, st = _read(path)
        except SecretFileError as exc:
            bad.append(str(exc))
            continue
        if content is None:
            plan['generate'].append(item)
        elif not _pattern(prefix, nbytes).fullmatch(content):
            bad.append('%s is empty or malformed' % path)
        elif (st.st_uid, st.st_gid) != (uid, gid) or stat.S_IMODE(st.st_mode) != MODE:
            plan['fix'].append(item)
    if bad:
        raise SecretFileError(
            '%s. A short cookie secret or an empty proxy token would leave the hub or the proxy\'s API '
            'open. Remove the files and run again: new secrets are generated (after a new cookie secret '
            'members log in again).' % '; '.join(bad))
    return plan


def generate(path, prefix='', nbytes=32, uid=0, gid=0):
    """Write prefix + a new random hex secret + newline to path atomically: a file in the
    same directory, 0600 and uid:gid from the start, renamed over path once it is whole."""
    secret = binascii.hexlify(os.urandom(nbytes)).decode('ascii')
    if len(secret) != 2 * nbytes:
        raise SecretFileError('the random source gave a short secret for %s' % path)
    paths.replace_file(path, (prefix + secret + '\n').encode('ascii'), uid, gid, MODE)


def fix(path, uid=0, gid=0):
    """Give the regular file at path to uid:gid, 0600, without following a link."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, 'O_CLOEXEC', 0))
    try:
        os.fchown(fd, uid, gid)
        os.fchmod(fd, MODE)
    finally:
        os.close(fd)


def apply(files, nbytes=32, uid=0, gid=0, check_mode=False):
    """Survey files, then (unless check_mode) generate the missing and fix the others.

    Returns {'generated': [paths], 'fixed': [paths]}: what was (or would be) done."""
    plan = survey(files, nbytes, uid, gid)
    if not check_mode:
        for item in plan['generate']:
            generate(item['path'], item.get('prefix') or '', nbytes, uid, gid)
        for item in plan['fix']:
            fix(item['path'], uid, gid)
    return {'generated': [item['path'] for item in plan['generate']],
            'fixed': [item['path'] for item in plan['fix']]}
