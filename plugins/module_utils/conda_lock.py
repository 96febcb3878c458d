# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Locked conda environments: conda's explicit files and what differs from them.

An explicit file is what ``conda list --explicit --md5`` prints (or ``conda-lock render
--kind explicit``): comment lines, a line ``@EXPLICIT``, then one package URL per line with
an optional ``#<md5>``, ``#<sha256>`` or ``#sha256:<sha256>`` (CEP 23). conda installs such
a file without its solver. The pip part of a locked environment is a hashed requirements
file (:mod:`pip_lock`). Plain functions, unit-tested directly; module conda_env runs them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import re

from ansible.module_utils.six import string_types

from ansible_collections.teamhub.jupyter.plugins.module_utils import pip_lock

EXPLICIT_MARKER = '@EXPLICIT'
# conda/misc.py's pattern for explicit lines: a file name ending .conda or .tar.bz2, then an
# optional hash; only lowercase hex.
_LINE = re.compile(r'^(?P<url>[a-z][a-z0-9+.-]*://\S+/(?P<fn>[^/#\s]+?(?:\.conda|\.tar\.bz2)))'
                   r'(?:#(?:(?P<md5>[0-9a-f]{32})|(?:sha256:)?(?P<sha256>[0-9a-f]{64})))?\Z')
_PLATFORM = re.compile(r'^#\s*platform:\s*(\S+)\s*$')
_CONDA_LOCK_PIP = re.compile(r'^#\s*pip\s+(\S+)\s*@')


class LockError(Exception):
    """A lock that cannot be applied; the message names the file and the line."""


def parse_explicit(text, source='the lock', allow_empty=False):
    """The packages of an explicit file.

    Returns ``{'platform': 'linux-64' or None, 'packages': [...]}``; each package is a
    dict ``name``, ``version``, ``build``, ``url`` (without the hash), ``md5`` and
    ``sha256`` (None when the line gives none), in the file's order. Raises
    :class:`LockError` for a file without ``@EXPLICIT``, a line that is not a package URL
    (conda's ParseError), a package listed twice, or conda-lock's ``# pip`` lines (conda
    would skip them silently: they belong in the pip lock). ``allow_empty``: an empty
    environment's list is no error.
    """
    if not isinstance(text, string_types):
        raise LockError('%s is not text' % source)
    if EXPLICIT_MARKER not in [line.strip() for line in text.splitlines()]:
        raise LockError('%s has no line @EXPLICIT: it is not a conda explicit file '
                        '(make one with conda list --explicit --md5)' % source)
    platform, packages, seen = None, [], {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = '%s line %d' % (source, number)
        if not line:
            continue
        if line.startswith('#'):
            found = _PLATFORM.match(line)
            if found and platform is None:
                platform = found.group(1)
            if _CONDA_LOCK_PIP.match(line):
                raise LockError('%s: %r is a pip package in a conda-lock file, which conda would skip; '
                                'put it in the pip lock (pip_lock) instead' % (where, line))
            continue
        if line == EXPLICIT_MARKER:
            continue
        found = _LINE.match(line)
        if not found:
            raise LockError('%s: %r is not a package URL with an optional #md5 or #sha256 '
                            '(conda list --explicit --md5 writes such lines)' % (where, line))
        stem = re.sub(r'(\.conda|\.tar\.bz2)\Z', '', found.group('fn'))
        parts = stem.rsplit('-', 2)
        if len(parts) != 3 or not all(parts):
            raise LockError('%s: %r does not end in NAME-VERSION-BUILD.conda or .tar.bz2' % (where, line))
        name = parts[0]
        if name in seen:
            raise LockError('%s: %s is listed twice (first on line %d)' % (where, name, seen[name]))
        seen[name] = number
        packages.append({'name': name, 'version': parts[1], 'build': parts[2], 'url': found.group('url'),
                         'md5': found.group('md5'), 'sha256': found.group('sha256')})
    if not packages and not allow_empty:
        raise LockError('%s lists no package' % source)
    return {'platform': platform, 'packages': packages}


def parse_pip_lock(text, source='the pip lock'):
    """A hashed pip requirements file (:func:`pip_lock.read`): ``{normalized name: version}``.

    Raises :class:`LockError` with every problem of the file; a requirement with an
    environment marker is refused (the lock is for one environment, one platform).
    """
    lock = pip_lock.read(text, source)
    problems = list(lock['problems'])
    for requirement in lock['requirements']:
        if ';' in requirement:
            problems.append('%s: %s has an environment marker; a pip lock of a conda environment pins one '
                            'version for its one platform' % (source, requirement))
    if problems:
        raise LockError('; '.join(problems))
    return dict((name, versions[0]) for name, versions in lock['versions'].items())


def _version(package):
    return '%s-%s' % (package['version'], package['build'])


def explicit_drift(lock, installed):
    """How the installed packages differ from a lock (both as :func:`parse_explicit` gives).

    Returns a dict: ``missing`` (locked, not installed), ``changed`` (installed under another
    URL or with another hash: ``{name, locked, installed}``, versions as VERSION-BUILD) and
    ``extra`` (installed, not locked), each sorted by name. A hash is compared only where
    both sides give the same kind.
    """
    have = dict((p['name'], p) for p in installed['packages'])
    want = dict((p['name'], p) for p in lock['packages'])
    missing, changed = [], []
    for name in sorted(want):
        locked = want[name]
        current = have.get(name)
        if current is None:
            missing.append(name)
        elif current['url'] != locked['url'] or any(
                locked[kind] and current[kind] and locked[kind] != current[kind] for kind in ('md5', 'sha256')):
            changed.append({'name': name, 'locked': _version(locked), 'installed': _version(current)})
    extra = sorted(name for name in have if name not in want)
    return {'missing': missing, 'changed': changed, 'extra': extra}


def pip_drift(lock, installed, pypi_names):
    """How pip's packages differ from a pip lock (:func:`parse_pip_lock`).

    ``installed`` is pip's ``{normalized name: version}``; ``pypi_names`` the packages
    conda lists from channel pypi (installed with pip, not conda). Returns ``missing``,
    ``changed`` (``{name, locked, installed}``) and ``extra`` (pypi packages the pip lock
    does not hold), each sorted.
    """
    missing, changed = [], []
    for name in sorted(lock):
        if name not in installed:
            missing.append(name)
        elif installed[name] != lock[name]:
            changed.append({'name': name, 'locked': lock[name], 'installed': installed[name]})
    extra = sorted(set(pip_lock.normalize(n) for n in pypi_names) - set(lock))
    return {'missing': missing, 'changed': changed, 'extra': extra}


def drift_lines(drift, what='conda'):
    """One readable line per difference: "pandas 2.2.3-py311_0 (lock: 2.2.2-py311_0)"."""
    lines = ['%s %s: %s (lock: %s)' % (what, c['name'], c['installed'], c['locked']) for c in drift['changed']]
    lines += ['%s %s: missing' % (what, name) for name in drift['missing']]
    lines += ['%s %s: not in the lock' % (what, name) for name in drift['extra']]
    return lines


def no_drift(drift):
    return not (drift['missing'] or drift['changed'] or drift['extra'])


def explicit_cmd(exe, prefix):
    """The installed packages as an explicit file with md5s."""
    return [exe, 'list', '--explicit', '--md5', '-p', prefix]


def create_from_lock_cmd(exe, prefix, path):
    return [exe, 'create', '--yes', '--json', '-p', prefix, '--file', path]


def install_from_lock_cmd(exe, prefix, path):
    return [exe, 'install', '--yes', '--json', '-p', prefix, '--file', path]


def remove_unlocked_cmd(exe, prefix, names):
    """Remove packages the lock does not list, and only those (no solver removing dependents)."""
    return [exe, 'remove', '--force-remove', '--yes', '--json', '-p', prefix, '--'] + list(names)


def pip_install_lock_cmd(python, path):
    """Exactly the pip lock's files: every hash checked, nothing resolved."""
    return [python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input',
            '--require-hashes', '--no-deps', '-r', path]


def pip_uninstall_cmd(python, names):
    return [python, '-m', 'pip', 'uninstall', '--disable-pip-version-check', '--yes', '--'] + list(names)


def pip_report_cmd(python, requirements):
    """What pip would download for exactly these versions, as JSON (pip >= 22.2): read only."""
    return [python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--dry-run',
            '--ignore-installed', '--no-deps', '--quiet', '--report', '-', '--'] + list(requirements)


def pip_lock_from_report(report):
    """A hashed requirements file from pip's installation report: one ``name==version``
    per package, sorted, with the sha256 of the file pip chose."""
    lines = []
    for item in sorted((report or {}).get('install') or [], key=lambda i: pip_lock.normalize(i['metadata']['name'])):
        meta = item['metadata']
        archive = (item.get('download_info') or {}).get('archive_info') or {}
        digest = (archive.get('hashes') or {}).get('sha256')
        if not digest and str(archive.get('hash', '')).startswith('sha256='):
            digest = archive['hash'][len('sha256='):]
        if not digest:
            raise LockError('pip reports no sha256 for %s %s (%s)'
                            % (meta['name'], meta['version'], (item.get('download_info') or {}).get('url')))
        lines.append('%s==%s \\\n    --hash=sha256:%s\n' % (pip_lock.normalize(meta['name']), meta['version'], digest))
    return ''.join(lines)
