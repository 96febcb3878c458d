# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A pip lock read on the controller: its requirements, versions and what is wrong with it.

A lock is a pip requirements file in which every requirement is one exact version
(``name==version``, an environment marker allowed) with at least one ``--hash``, as
``uv pip compile --generate-hashes`` and ``pip-compile --generate-hashes`` write it. The
functions here are plain Python, unit-tested directly (tests/unit/plugins/filter).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import re

from ansible_collections.teamhub.jupyter.plugins.module_utils.pip_lock import normalize, read


def mismatches(lock, pins):
    """What settings ask for that a lock (as ``read`` returned it) does not hold.

    ``pins`` is a list of dicts: ``setting`` (its name in the messages) and ``requirement``,
    a requirement string; its project must be in the lock, and an exact version
    (``name==version``) must be the one version the lock pins for it. One message per
    requirement the lock does not meet; empty when it meets all.
    """
    versions = (lock or {}).get('versions') or {}
    found = []
    for pin in pins or []:
        requirement = str(pin.get('requirement', '')).strip()
        name = re.match(r'^[A-Za-z0-9._-]*', requirement).group(0)
        exact = re.match(r'^[A-Za-z0-9._-]+\s*==\s*([^\s;,]+)\s*(;.*)?\Z', requirement)
        have = versions.get(normalize(name), [])
        if not have:
            found.append('%s asks for %s, which the lock does not hold' % (pin.get('setting'), requirement))
        elif exact and have != [exact.group(1)]:
            pinned = ', '.join('%s==%s' % (name, version) for version in have)
            found.append('%s asks for %s, the lock pins %s' % (pin.get('setting'), requirement, pinned))
    return found


class FilterModule(object):
    """Filters for pip locks."""

    def filters(self):
        return {
            'pip_lock': read,
            'pip_lock_mismatches': mismatches,
        }
