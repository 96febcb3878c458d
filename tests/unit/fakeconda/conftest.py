# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``fakeconda``: the stand-in script as a module (``root``, the installed stand-in, is in tests/unit/conftest.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), '..', '..', 'fakeconda', 'conda')


@pytest.fixture(scope='session')
def fakeconda():
    """The stand-in script imported as a module, to test its helpers directly."""
    import importlib.machinery  # pylint: disable=import-outside-toplevel
    import importlib.util  # pylint: disable=import-outside-toplevel

    loader = importlib.machinery.SourceFileLoader('teamhub_fakeconda', SCRIPT)
    spec = importlib.util.spec_from_loader('teamhub_fakeconda', loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
