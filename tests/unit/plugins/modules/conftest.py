# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of the module tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings

from ..tailscale_fakes import FakeTailscale


@pytest.fixture(autouse=True)
def no_leftover_warnings():
    """AnsibleModule keeps warnings in module globals: do not leak them into the next test."""
    yield
    for name in ('_global_warnings', '_global_deprecations'):
        getattr(ansible_warnings, name, {}).clear()


@pytest.fixture
def tailscale_cli(monkeypatch):
    """The tailscale CLI answering recorded outputs (tests/unit/plugins/tailscale_fakes.py),
    in place of the commands an AnsibleModule runs and finds."""
    tailscale = FakeTailscale()
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', lambda self, args, **kw: tailscale.run_command(args, **kw))
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path',
                        lambda self, name, *a, **kw: tailscale.exe if tailscale.exe else None)
    return tailscale
