# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A conda lock (conda's explicit format) read on the controller, to check settings
before anything changes on a host; module conda_env reads it with the same code."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

from ansible_collections.teamhub.jupyter.plugins.module_utils.conda_lock import LockError, parse_explicit


def read(text, source='the lock'):
    """``{'packages': [names], 'platform': str or None, 'problems': [message]}``."""
    try:
        lock = parse_explicit(text, source)
    except LockError as exc:
        return {'packages': [], 'platform': None, 'problems': [str(exc)]}
    return {'packages': [p['name'] for p in lock['packages']], 'platform': lock['platform'], 'problems': []}


class FilterModule(object):
    """Filters for conda locks."""

    def filters(self):
        return {'conda_lock': read}
