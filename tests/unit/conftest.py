# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make the checkout importable as ansible_collections.teamhub.jupyter.

`make collection` links .build/collections/ansible_collections/teamhub/jupyter
to the checkout; that directory goes on sys.path for plain `pytest tests/unit`.
``root``: the conda stand-in installed as ROOT/bin/conda in a temporary directory.
"""

import os
import sys

import pytest

STAND_IN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fakeconda', 'conda')

_COLLECTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '.build', 'collections')
_COLLECTIONS = os.path.normpath(_COLLECTIONS)
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)


@pytest.fixture
def root(tmp_path, monkeypatch):
    """ROOT/bin/conda, the stand-in started with this Python (as the test installer's
    rewritten shebang starts it with the host's), in a HOME of its own."""
    base = tmp_path / 'opt' / 'conda'
    (base / 'bin').mkdir(parents=True)
    (base / 'conda-meta').mkdir()
    with open(STAND_IN) as fh:
        lines = fh.read().splitlines(True)
    lines[0] = '#!%s\n' % sys.executable
    (base / 'bin' / 'conda').write_text(''.join(lines))
    os.chmod(str(base / 'bin' / 'conda'), 0o755)
    (tmp_path / 'home').mkdir()
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.delenv('CONDA_PREFIX', raising=False)
    return str(base)
