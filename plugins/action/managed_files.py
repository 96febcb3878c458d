# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action plugin of teamhub.jupyter.managed_files: renders each entry's template on the
controller as ansible.builtin.template does (or reads its file from the role's files/),
then runs the module once for all files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.template import generate_ansible_template_vars, trust_as_template


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('files',))

    def _render(self, src, dest, task_vars):
        try:
            path = self._find_needle('templates', src)
        except AnsibleError as exc:
            raise AnsibleActionFail(to_text(exc))
        data = trust_as_template(self._loader.get_text_file_contents(path))
        searchpath = list(task_vars.get('ansible_search_path', [])) + [self._loader._basedir, os.path.dirname(path)]
        searchpath = [p for base in searchpath for p in (os.path.join(base, 'templates'), base)]
        variables = task_vars.copy()
        # What the template action adds (ansible_managed, template_path, ...), without
        # replacing an ansible_managed the inventory sets.
        extra = generate_ansible_template_vars(path=src, fullpath=path, dest_path=dest)
        if 'ansible_managed' in variables:
            extra.pop('ansible_managed', None)
        variables.update(extra)
        templar = self._templar.copy_with_new_env(searchpath=searchpath, available_variables=variables)
        rendered = templar.template(data, escape_backslashes=False,
                                    overrides=dict(trim_blocks=True, lstrip_blocks=False, newline_sequence='\n'))
        return '' if rendered is None else to_text(rendered)

    def _read(self, src):
        try:
            path = self._find_needle('files', src)
        except AnsibleError as exc:
            raise AnsibleActionFail(to_text(exc))
        return to_text(self._loader.get_text_file_contents(path))

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        files = self._task.args.get('files')
        if not isinstance(files, list) or not all(isinstance(entry, dict) for entry in files):
            raise AnsibleActionFail('files must be a list of dicts, each with a dest')
        entries = []
        for entry in files:
            entry = dict(entry)
            template, src = entry.pop('template', None), entry.pop('src', None)
            given = [key for key, value in (('template', template), ('src', src), ('content', entry.get('content')))
                     if value is not None]
            if len(given) > 1:
                raise AnsibleActionFail('%s: %s are mutually exclusive' % (entry.get('dest'), ' and '.join(given)))
            if entry.get('state', 'present') != 'absent':
                if template is not None:
                    entry['content'] = self._render(template, entry.get('dest'), task_vars)
                elif src is not None:
                    entry['content'] = self._read(src)
            entries.append(entry)
        result.update(self._execute_module(module_name='teamhub.jupyter.managed_files',
                                           module_args=dict(files=entries), task_vars=task_vars))
        # The contents went as module arguments: keep them out of the task's result.
        result.pop('invocation', None)
        return result
