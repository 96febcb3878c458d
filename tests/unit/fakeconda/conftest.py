# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``root``: the conda stand-in installed as ROOT/bin/conda in a temporary directory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import shutil

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), '..', '..', 'fakeconda', 'conda')


@pytest.fixture
def root(tmp_path, monkeypatch):
    base = tmp_path / 'opt' / 'conda'
    (base / 'bin').mkdir(parents=True)
    (base / 'conda-meta').mkdir()
    shutil.copy(SCRIPT, str(base / 'bin' / 'conda'))
    os.chmod(str(base / 'bin' / 'conda'), 0o755)
    home = tmp_path / 'home'
    home.mkdir()
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.delenv('CONDA_PREFIX', raising=False)
    return str(base)


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
