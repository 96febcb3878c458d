# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Releases of an environment, as plain functions.

Used by the ``teamhub.jupyter.env_release`` module; nothing here depends on
AnsibleModule, so every function can be unit-tested directly.

An environment that members' kernels run from is never changed in place: each
definition of it is built as a release of its own, ``RELEASES/NAME-ID`` (ID in
hexadecimal, for example the start of a hash of the definition), beside the
others. The environment's name (``LINK``, such as ``/opt/conda/envs/NAME``) is a
symbolic link to the release in use, replaced in one rename. A kernel keeps the
release it started from until it ends; only releases no running process uses
are ever removed.

An environment made before releases existed is a real directory at ``LINK``.
``adopt`` moves it into ``RELEASES`` and leaves the link in its place, so the
paths written inside it (which name ``LINK``) still reach its files, and the
processes running from it keep working.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import re
import shutil

# A release's name after "NAME-".
RELEASE_ID = re.compile(r'[0-9a-f]{6,64}\Z')
# How a replacement link is named while it is made.
PENDING = '.teamhub-new'


class EnvReleaseError(Exception):
    """A step that cannot be done; the message says which and why."""


def release_id(link, release):
    """The ID of RELEASE, which must be named after LINK (``NAME-HEX``)."""
    name = os.path.basename(link.rstrip('/'))
    if '/' in release or not release.startswith(name + '-') or not RELEASE_ID.match(release[len(name) + 1:]):
        raise EnvReleaseError('release %r is not a release of %s: a release is named %s-ID, ID being 6 to 64 '
                              'lowercase hexadecimal digits' % (release, name, name))
    return release[len(name) + 1:]


def releases_of(link, releases_dir):
    """Names of the releases of LINK's environment found in RELEASES_DIR."""
    name = os.path.basename(link.rstrip('/'))
    try:
        entries = os.listdir(releases_dir)
    except OSError:
        return []
    found = []
    for entry in entries:
        path = os.path.join(releases_dir, entry)
        if (entry.startswith(name + '-') and RELEASE_ID.match(entry[len(name) + 1:])
                and os.path.isdir(path) and not os.path.islink(path)):
            found.append(entry)
    return sorted(found)


def current(link):
    """What LINK points at: ``('link', TARGET)``, ``('directory', LINK)`` for an
    environment made in place, ``('missing', None)``."""
    if os.path.islink(link):
        return 'link', os.readlink(link)
    if os.path.isdir(link):
        return 'directory', link
    if os.path.lexists(link):
        raise EnvReleaseError('%s is neither a symbolic link nor a directory: it is left alone' % link)
    return 'missing', None


def processes_using(releases_dir, proc='/proc'):
    """{release name: [PID, ...]} for the releases in RELEASES_DIR a running process was
    started from: its program or a word of its command line lies in the release, directly
    or through the environment's name (a link to the release)."""
    top = os.path.join(os.path.realpath(releases_dir), '')
    used = {}
    try:
        pids = [pid for pid in os.listdir(proc) if pid.isdigit()]
    except OSError:
        return used
    for pid in pids:
        paths = []
        try:
            paths.append(os.path.realpath(os.readlink(os.path.join(proc, pid, 'exe'))))
        except OSError:
            pass
        try:
            with open(os.path.join(proc, pid, 'cmdline'), 'rb') as handle:
                words = [word.decode('utf-8', 'replace') for word in handle.read().split(b'\0') if word]
        except (IOError, OSError):
            words = []
        for word in words:
            paths.append(word)
            if word.startswith('/') and '/' in word[1:]:
                # Through the environment's name: its directory resolved, not the file
                # itself (bin/python may be a link out of the environment).
                paths.append(os.path.join(os.path.realpath(os.path.dirname(word)), os.path.basename(word)))
        for path in paths:
            if path.startswith(top):
                release = path[len(top):].split('/', 1)[0]
                if int(pid) not in used.setdefault(release, []):
                    used[release].append(int(pid))
    return used


def replace_link(link, target):
    """Point LINK at TARGET in one rename (a new link, then renamed over the old)."""
    pending = link + PENDING
    if os.path.lexists(pending):
        os.unlink(pending)
    os.symlink(target, pending)
    os.rename(pending, link)


def adopt(link, releases_dir, release, check=False):
    """Move an environment made in place at LINK to RELEASES_DIR/RELEASE (making
    RELEASES_DIR when missing) and leave a link to it at LINK. Returns whether there
    was one to move."""
    release_id(link, release)
    if current(link)[0] != 'directory':
        return False
    target = os.path.join(releases_dir, release)
    if os.path.lexists(target):
        raise EnvReleaseError('cannot move the environment %s to %s: %s exists' % (link, target, target))
    existing = releases_dir
    while not os.path.isdir(existing):
        existing = os.path.dirname(existing)
    if os.stat(link).st_dev != os.stat(existing).st_dev:
        raise EnvReleaseError('cannot move the environment %s to %s: another file system (the releases '
                              'directory must be on the environment\'s)' % (link, releases_dir))
    if check:
        return True
    if not os.path.isdir(releases_dir):
        os.makedirs(releases_dir, 0o755)
    os.rename(link, target)
    replace_link(link, target)
    return True


def switch(link, releases_dir, release, check=False):
    """Point LINK at RELEASES_DIR/RELEASE. Returns what it pointed at before (None when
    LINK was missing) and whether it changed. In check mode the release may be one an
    earlier task would have built."""
    release_id(link, release)
    target = os.path.join(releases_dir, release)
    kind, before = current(link)
    if kind == 'directory':
        raise EnvReleaseError('%s is an environment made in place, not a link: adopt it first' % link)
    if before == target:
        return before, False
    if check and not os.path.lexists(target):
        return before, True
    if not os.path.isdir(target) or os.path.islink(target) or not os.path.isdir(os.path.join(target, 'conda-meta')):
        raise EnvReleaseError('release %s is not a conda environment: %s has no conda-meta directory (build it '
                              'before switching to it)' % (release, target))
    if not check:
        replace_link(link, target)
        # The newest release is the one most recently switched to (prune keeps the newest).
        os.utime(target, None)
    return before, True


def remove_unused(releases_dir, names, in_use, check=False):
    """Remove the releases NAMES that no running process uses (IN_USE).
    Returns (removed, kept because in use)."""
    removed, busy = [], []
    for name in names:
        if name in in_use:
            busy.append(name)
            continue
        removed.append(name)
        if not check:
            shutil.rmtree(os.path.join(releases_dir, name))
    return removed, busy


def prune(link, releases_dir, keep, in_use, pointed=None, check=False):
    """Remove the oldest releases of LINK's environment beyond KEEP (newest first by
    modification time), never POINTED (default: the one LINK points at) and never one
    a running process uses. Returns (removed, kept because in use)."""
    if keep < 1:
        raise EnvReleaseError('keep must be 1 or more, got %d' % keep)
    if pointed is None:
        kind, target = current(link)
        pointed = os.path.basename(target.rstrip('/')) if kind == 'link' else None
    names = [name for name in releases_of(link, releases_dir) if name != pointed]
    names.sort(key=lambda name: os.stat(os.path.join(releases_dir, name)).st_mtime, reverse=True)
    newest = keep - 1 if pointed else keep
    return remove_unused(releases_dir, names[newest:], in_use, check)


def remove(link, releases_dir, in_use, check=False):
    """Remove LINK and every release of its environment no running process uses.
    Returns (removed, kept because in use); an environment made in place that a
    process uses is kept too, under the name of LINK."""
    removed, busy = [], []
    kind = current(link)[0]
    if kind == 'directory' and processes_using(os.path.dirname(link)).get(os.path.basename(link)):
        busy.append(link)
    elif kind != 'missing':
        removed.append(link)
        if check:
            pass
        elif kind == 'link':
            os.unlink(link)
        else:
            shutil.rmtree(link)
    released, still = remove_unused(releases_dir, releases_of(link, releases_dir), in_use, check)
    return removed + released, busy + still
