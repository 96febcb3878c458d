# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Where kernel specs live: options shared by kernelspec and kernelspec_info."""

    DOCUMENTATION = r'''
options:
  kernels_dir:
    description:
      - Directory holding kernel spec directories.
      - Defaults to C(/usr/local/share/jupyter/kernels) when neither O(kernels_dir) nor O(prefix) is set.
      - Mutually exclusive with O(prefix).
    type: path
  prefix:
    description:
      - Install prefix, as C(ipykernel install --prefix); kernel specs are in C(PREFIX/share/jupyter/kernels).
      - Mutually exclusive with O(kernels_dir).
    type: path
'''
