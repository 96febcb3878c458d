# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Load a file a role installs on the host (a script without .py, or a module for the
hub venv) as a Python module, so its functions are tested where they live."""

import importlib.machinery
import importlib.util
import os

ROLES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'roles'))


def load(role, filename, name):
    """roles/<role>/files/<filename>, imported as module <name>."""
    loader = importlib.machinery.SourceFileLoader(name, os.path.join(ROLES, role, 'files', filename))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
