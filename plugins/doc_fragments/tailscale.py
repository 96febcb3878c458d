# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The option every module that drives the Tailscale CLI has."""

    DOCUMENTATION = r'''
options:
  executable:
    description:
      - The C(tailscale) command; looked for on E(PATH) by default.
    type: path
    default: tailscale
requirements:
  - The C(tailscale) CLI and a running C(tailscaled) (the role teamhub.jupyter.tailscale installs both).
'''
