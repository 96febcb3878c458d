# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An in-memory conda for the conda_env / conda_env_info module tests.

``FakeConda.run_command`` replaces ``AnsibleModule.run_command``: it answers the
commands the modules run with conda's JSON shapes (``conda/cli/main_info.py``,
``conda/cli/install.py``, ``conda/cli/common.py``, ``conda/exceptions.py``,
``conda/models/records.py``), keeps the environments as directories under
``tmp_path`` (with ``conda-meta/``) and records every call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import contextlib
import json
import os
import re
import shutil

import pytest

from ansible.module_utils import basic

from ansible_collections.teamhub.jupyter.plugins.module_utils import conda as c


def _rec(name, version, channel='conda-forge'):
    # conda/models/records.py PackageRecord.dist_fields_dump()
    return {'base_url': 'https://conda.example.invalid/' + channel, 'build_number': 0,
            'build_string': 'h0_0', 'channel': channel, 'dist_name': '%s-%s-h0_0' % (name, version),
            'name': name, 'platform': 'linux-64', 'version': version}


def _spec_version(spec):
    parsed = c.MatchSpec(spec)
    text = (parsed.version or '1.0').split('|')[0].split(',')[0]
    return re.sub(r'[^0-9.]', '', text).strip('.') or '1.0'


def _error(name, message, **kwargs):
    # conda/__init__.py CondaError.dump_map()
    data = {'exception_type': "<class 'conda.exceptions.%s'>" % name, 'exception_name': name,
            'message': message, 'error': '%s(%r)' % (name, message), 'caused_by': 'None'}
    data.update(kwargs)
    return 1, json.dumps(data), ''


class FakeConda:
    def __init__(self, tmp_path):
        self.root = str(tmp_path / 'conda')
        self.envs_dir = os.path.join(self.root, 'envs')
        self.exe = os.path.join(self.root, 'bin', 'conda')
        os.makedirs(os.path.dirname(self.exe))
        with open(self.exe, 'w') as fh:
            fh.write('#!/bin/sh\nexit 99\n')
        os.chmod(self.exe, 0o755)
        self.envs = {}
        self.pip = {}
        self.calls = []
        self.missing = set()  # package names no channel has
        self.pip_missing = set()
        self.file_packages = {'python': '3.12.7', 'pyyaml': '6.0.2'}
        self.add_env(self.root, {'python': '3.12.7', 'conda': '24.9.2'})

    # -------------------------------------------------------------- set-up helpers

    def add_env(self, prefix, packages, pip=None):
        os.makedirs(os.path.join(prefix, 'conda-meta'), exist_ok=True)
        os.makedirs(os.path.join(prefix, 'bin'), exist_ok=True)
        with open(os.path.join(prefix, 'bin', 'python'), 'w') as fh:
            fh.write('#!/bin/sh\n')
        self.envs[prefix] = dict(packages)
        self.pip[prefix] = dict(pip or {})
        return prefix

    def env_prefix(self, name):
        return os.path.join(self.envs_dir, name)

    def verbs(self):
        """The conda verbs called, e.g. ['create', 'install'] (reads excluded)."""
        result = []
        for cmd in self.calls:
            if cmd[0] == self.exe and cmd[1] in ('create', 'install', 'update', 'remove'):
                options = cmd[:cmd.index('--')] if '--' in cmd else cmd
                result.append(cmd[1] + (' --dry-run' if '--dry-run' in options else ''))
            elif cmd[0] == self.exe and cmd[1] == 'env' and cmd[2] in ('create', 'update'):
                result.append('env ' + cmd[2])
            elif cmd[1:4] == ['-m', 'pip', 'install']:
                result.append('pip install')
        return result

    # -------------------------------------------------------------- the command line

    def run_command(self, args, **kwargs):
        args = [str(a) for a in args]
        self.calls.append(args)
        if args[0].endswith('/bin/python'):
            return self.run_pip(os.path.dirname(os.path.dirname(args[0])), args[3:])
        assert args[0] == self.exe, args
        verb = args[1]
        if verb == '--version':
            return 0, 'conda 24.9.2\n', ''
        if verb == 'info':
            # conda/cli/main_info.py get_info_dict()
            return 0, json.dumps({'conda_version': '24.9.2', 'root_prefix': self.root,
                                  'envs_dirs': [self.envs_dir, '/root/.conda/envs']}), ''
        if args[1:3] == ['env', 'list']:
            # conda/cli/main_env_list.py (before 25.11): paths only
            return 0, json.dumps({'envs': sorted(self.envs)}), ''
        prefix = args[args.index('-p') + 1] if '-p' in args else None
        if verb == 'list':
            if prefix not in self.envs:
                return _error('EnvironmentLocationNotFound', 'Not a conda environment: %s' % prefix)
            return 0, json.dumps([_rec(n, v) for n, v in sorted(self.envs[prefix].items())]), ''
        if verb == 'env':
            return self.run_env(args[2], prefix, args)
        # like conda's argparse: after "--" everything is a spec, even "--dry-run"
        end = args.index('--') if '--' in args else len(args)
        specs = [a for a in args[2:end] if not a.startswith('-') and a != prefix
                 and (args[args.index(a) - 1] not in ('-c', '--clone'))] + args[end + 1:]
        dry = '--dry-run' in args[:end]
        return getattr(self, 'run_' + verb)(prefix, specs, dry, args[:end])

    def _missing(self, specs, args):
        gone = [s for s in specs if c.MatchSpec(s).name in self.missing]
        if gone:
            channels = [args[i + 1] for i, a in enumerate(args) if a == '-c'] or ['defaults']
            return _error('PackagesNotFoundError', 'The following packages are not available ...',
                          packages=gone, channel_urls=['https://conda.example.invalid/%s/linux-64' % ch
                                                       for ch in channels])
        return None

    def _result(self, prefix, before, after, dry):
        link = [_rec(n, v) for n, v in sorted(after.items()) if before.get(n) != v]
        unlink = [_rec(n, v) for n, v in sorted(before.items()) if after.get(n) != v]
        if not link and not unlink:
            return 0, json.dumps({'success': True, 'message': c.NOTHING_TO_DO}), ''
        data = {'success': True, 'prefix': prefix,
                'actions': {'LINK': link, 'UNLINK': unlink, 'FETCH': link, 'PREFIX': prefix}}
        if dry:
            data['dry_run'] = True
        return 0, json.dumps(data), ''

    def run_create(self, prefix, specs, dry, args):
        if prefix in self.envs:
            if dry:
                return _error('CondaValueError', 'cannot dry-run create over an existing env')
            pytest.fail('conda create was called on the existing environment %s' % prefix)
        if '--clone' in args:
            source = args[args.index('--clone') + 1]
            packages = dict(self.envs[source])
        else:
            failed = self._missing(specs, args)
            if failed:
                if not dry:
                    os.makedirs(os.path.join(prefix, 'pkgs-partial'))  # a half-made prefix
                return failed
            packages = dict((c.MatchSpec(s).name, _spec_version(s)) for s in specs)
        if not dry:
            self.add_env(prefix, packages)
        return self._result(prefix, {}, packages, dry)

    def run_install(self, prefix, specs, dry, args):
        failed = self._missing(specs, args)
        if failed:
            return failed
        before = self.envs[prefix]
        after = dict(before)
        for spec in specs:
            after[c.MatchSpec(spec).name] = _spec_version(spec)
        if not dry:
            self.envs[prefix] = after
        return self._result(prefix, before, after, dry)

    def run_update(self, prefix, specs, dry, args):
        before = self.envs[prefix]
        after = dict(before)
        for name in specs:
            if name not in before:
                return _error('PackageNotInstalledError', 'Package is not installed in prefix.',
                              prefix=prefix, package_name=name)
            after[name] = '99.0'
        if not dry:
            self.envs[prefix] = after
        return self._result(prefix, before, after, dry)

    def run_remove(self, prefix, specs, dry, args):
        assert '--all' in args
        before = self.envs[prefix]
        if not dry:
            del self.envs[prefix]
            shutil.rmtree(prefix)
        return self._result(prefix, before, {}, dry)

    def run_env(self, verb, prefix, args):
        if verb == 'create':
            assert prefix not in self.envs
            self.add_env(prefix, self.file_packages)
            return 0, json.dumps({'success': True, 'prefix': prefix}), ''
        assert '--prune' in args
        self.envs[prefix] = dict(self.file_packages)
        return 0, json.dumps({'success': True, 'prefix': prefix}), ''

    def run_pip(self, prefix, args):
        if args[0] == 'list':
            if 'pip' not in self.envs.get(prefix, {}):
                return 1, '', 'No module named pip'
            return 0, json.dumps([{'name': n, 'version': v} for n, v in sorted(self.pip[prefix].items())]), ''
        specs = [a for a in args[1:] if not a.startswith('-')]
        for spec in specs:
            name = re.split(r'[<>=!~\[; ]', spec)[0]
            if name in self.pip_missing:
                return 1, '', 'ERROR: No matching distribution found for %s' % spec
            self.pip[prefix][name] = re.sub(r'^[^0-9]*', '', spec[len(name):]) or '1.0'
            self.envs[prefix][name] = self.pip[prefix][name]
        return 0, 'Successfully installed', ''


@contextlib.contextmanager
def faked(monkeypatch, conda):
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', lambda self, args, **kw: conda.run_command(args, **kw))
    yield conda
