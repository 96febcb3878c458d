# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """check_mode and diff_mode, documented once for every module of the collection.

    DOCUMENTATION is a module that supports both fully; the module's own attributes
    block adds its details. A module that only reads lists INFO_MODULE before it:
    for each attribute Ansible keeps the keys the module or an earlier fragment set.
    """

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check mode, reporting what would change without changing the target.
    support: full
  diff_mode:
    description: Shows what changed, or in check mode what would change, when run in diff mode.
    support: full
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    details: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    details: Nothing changes, so there is nothing to show.
'''
