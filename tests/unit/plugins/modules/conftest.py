# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of the module tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import pytest

from ansible.module_utils.common import warnings as ansible_warnings


@pytest.fixture(autouse=True)
def no_leftover_warnings():
    """AnsibleModule keeps warnings in module globals: do not leak them into the next test."""
    yield
    for name in ('_global_warnings', '_global_deprecations'):
        getattr(ansible_warnings, name, {}).clear()
