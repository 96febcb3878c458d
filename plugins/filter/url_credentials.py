# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Credentials in URL settings: found once, masked once, for every role.

TeamHub refuses "user:password@" and "user@" before the host of any URL setting
(proxies, mirrors, channels, the installer, the login server): those URLs end up on
command lines and in files other users read. The functions here are plain Python,
unit-tested directly (tests/unit/plugins/filter).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import re
from collections.abc import Mapping

from ansible.module_utils.six import string_types

# "user:password@" or "user@" before the host, with or without a scheme: everything up to
# the last "@" before the path, query or fragment.
USERINFO_PATTERN = re.compile(r'^([A-Za-z][A-Za-z0-9+.-]*://)?[^/?#]*@')


def mask(url):
    """The URL with its credentials replaced by ***; a URL without any is returned as it is."""
    return USERINFO_PATTERN.sub(r'\1***@', url if isinstance(url, string_types) else str(url), count=1)


def _strings(value):
    """Every string in a setting: the value itself, a list's items, a mapping's keys and
    values, at any depth. Other scalars as their text."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif value is not None:
        yield value if isinstance(value, string_types) else str(value)


def findings(settings):
    """One "<setting> carries credentials (<masked URL>)" for every URL with credentials.

    ``settings`` maps setting names to a URL, a list of URLs or a nested structure holding
    them (every string in it is checked), or is a list of [name, value] pairs. Empty when
    no URL carries credentials.
    """
    pairs = settings.items() if isinstance(settings, Mapping) else settings
    return ['%s carries credentials (%s)' % (name, mask(url))
            for name, value in pairs for url in _strings(value) if USERINFO_PATTERN.match(url)]


class FilterModule(object):
    """Filters for credentials in URLs."""

    def filters(self):
        return {
            'url_credentials': findings,
            'mask_url_credentials': mask,
        }
