# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make the checkout importable as ansible_collections.teamhub.jupyter.

`make collection` links .build/collections/ansible_collections/teamhub/jupyter
to the checkout; that directory goes on sys.path for plain `pytest tests/unit`.
"""

import os
import sys

_COLLECTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '.build', 'collections')
_COLLECTIONS = os.path.normpath(_COLLECTIONS)
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
