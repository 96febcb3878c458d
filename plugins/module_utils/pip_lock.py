# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A pip lock: its requirements, versions and what is wrong with it.

A lock is a pip requirements file in which every requirement is one exact version
(``name==version``, an environment marker allowed) with at least one ``--hash``, as
``uv pip compile --generate-hashes`` and ``pip-compile --generate-hashes`` write it. Read on the
controller (filter pip_lock) and on the host (module conda_env), unit-tested directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import re

from ansible.module_utils.six import string_types

# name==version, then an optional "; marker".
REQUIREMENT = re.compile(r'^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)==(?P<version>[A-Za-z0-9.+!_-]+)'
                         r'\s*(?:;\s*(?P<marker>\S.*))?\Z')
HASH = re.compile(r'^--hash[= ](sha256|sha384|sha512):[0-9a-f]+\Z')


def normalize(name):
    """A project name as the index compares it (PEP 503)."""
    return re.sub(r'[-_.]+', '-', name).lower()


def _logical_lines(text):
    """Lines with their continuations joined and comments dropped, with line numbers."""
    joined, start = '', None
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r'^\s*#', line):
            continue
        line = re.sub(r'(^|\s)#.*$', '', line)
        if start is None:
            start = number
        if line.rstrip().endswith('\\'):
            joined += line.rstrip()[:-1] + ' '
            continue
        joined += line
        if joined.strip():
            yield start, joined.strip()
        joined, start = '', None
    if joined.strip():
        yield start, joined.strip()


def read(text, source='the lock'):
    """What a lock holds.

    Returns a dict: ``requirements``, each requirement without its hashes
    (``"name==version"`` or ``"name==version ; marker"``), in the lock's order;
    ``versions``, each normalized project name with the versions the lock pins for it
    (more than one when markers choose); ``problems``, one message per line that is not
    a hashed exact version, naming ``source`` and the line. An empty lock is a problem.
    """
    if not isinstance(text, string_types):
        return {'requirements': [], 'versions': {},
                'problems': ['%s is not text (got %s)' % (source, type(text).__name__)]}
    requirements, versions, problems = [], {}, []
    for number, line in _logical_lines(text):
        words = line.split()
        # The requirement is everything before the first option.
        first_option = next((i for i, word in enumerate(words) if word.startswith('-')), len(words))
        requirement, options = ' '.join(words[:first_option]), words[first_option:]
        # "--hash sha256:..." as two words: one option.
        options = [' '.join(pair) if pair[0] == '--hash' else pair[0]
                   for pair in _pairs(options)]
        found = REQUIREMENT.match(requirement)
        where = '%s line %d' % (source, number)
        if not found:
            problems.append('%s: %r is not one exact version (name==version): a lock pins every package'
                            % (where, requirement or line))
            continue
        bad = [option for option in options if not HASH.match(option)]
        if bad:
            problems.append('%s: %s takes no pip options but --hash (got %s)' % (where, found.group('name'), ' '.join(bad)))
            continue
        if not options:
            problems.append('%s: %s has no --hash: a lock hashes every package' % (where, found.group('name')))
            continue
        marker = found.group('marker')
        requirements.append('%s==%s%s' % (found.group('name'), found.group('version'),
                                          ' ; ' + marker.strip() if marker else ''))
        versions.setdefault(normalize(found.group('name')), []).append(found.group('version'))
    if not requirements and not problems:
        problems.append('%s holds no requirement' % source)
    return {'requirements': requirements, 'versions': versions, 'problems': problems}


def _pairs(options):
    """Options as they were given: "--hash" followed by its value is one."""
    index = 0
    while index < len(options):
        if options[index] == '--hash' and index + 1 < len(options):
            yield options[index:index + 2]
            index += 2
        else:
            yield options[index:index + 1]
            index += 1
