# -*- coding: utf-8 -*-
# Copyright: TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain helpers for driving conda (or mamba/micromamba) from Ansible modules.

Nothing here imports AnsibleModule or conda itself: the functions take the
output of conda commands (JSON text) and return plain Python data, so they are
unit-tested directly. :class:`CondaClient` is the one way the modules run
conda: it is given a ``run_command`` function (``AnsibleModule.run_command``). The JSON shapes handled here follow conda's own CLI
(``conda/cli/install.py``, ``conda/cli/common.py``, ``conda/cli/main_info.py``,
``conda/exceptions.py``, ``conda/models/records.py``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import hashlib
import json
import os
import re
import shlex

EXECUTABLE_NAMES = ('conda', 'mamba', 'micromamba')
DEFAULT_PREFIXES = ('/opt/conda', '/opt/miniconda3', '/opt/miniforge3', '/opt/mambaforge')
HASH_FILE = os.path.join('conda-meta', 'teamhub-environment.sha256')
NOTHING_TO_DO = 'All requested packages already installed.'

NOT_FOUND_ERRORS = (
    'PackagesNotFoundError',
    'PackagesNotFoundInChannelsError',
    'PackageNotInstalledError',
    'PackagesNotFoundInPrefixError',
    'ResolvePackageNotFound',
    'NoPackagesFoundError',
)


class CondaError(Exception):
    """A conda command failed or its output made no sense."""

    def __init__(self, message, exception_name=None, packages=None, channels=None):
        super(CondaError, self).__init__(message)
        self.message = message
        self.exception_name = exception_name
        self.packages = packages or []
        self.channels = channels or []


# ---------------------------------------------------------------- executable

def _is_exe(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_executable(executable=None, prefixes=DEFAULT_PREFIXES, path_lookup=None, is_exe=_is_exe):
    """Return the path of the conda-like executable to use.

    ``executable`` is an explicit path, a prefix (``/opt/conda``) or a bare name
    (``mamba``). Without it, ``conda``, ``mamba`` and ``micromamba`` are looked
    for under ``prefixes`` (``PREFIX/bin/NAME``), then on ``PATH`` through
    ``path_lookup`` (for instance ``shutil.which``).
    """
    if executable:
        if os.sep in executable:
            if is_exe(executable):
                return executable
            for name in EXECUTABLE_NAMES:
                candidate = os.path.join(executable, 'bin', name)
                if is_exe(candidate):
                    return candidate
            raise CondaError('conda executable not found at %s' % executable)
        names = (executable,)
    else:
        names = EXECUTABLE_NAMES
    for name in names:
        for prefix in prefixes:
            candidate = os.path.join(prefix, 'bin', name)
            if is_exe(candidate):
                return candidate
    if path_lookup is not None:
        for name in names:
            found = path_lookup(name)
            if found:
                return found
    raise CondaError('no conda executable found (looked for %s under %s and on PATH); '
                     'set the executable option' % (', '.join(names), ', '.join(prefixes)))


def parse_version_output(text):
    """``conda 26.1.0`` (conda, mamba) or ``2.0.5`` (micromamba) -> the version."""
    for token in (text or '').split():
        if re.match(r'^\d+(\.\d+)*', token):
            return token
    return None


# ---------------------------------------------------------------- JSON

def load_json(text):
    """Decode the first JSON document in ``text``; conda may print warnings around it."""
    text = text or ''
    try:
        return json.loads(text)
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    for match in re.finditer(r'[\[{]', text):
        try:
            return decoder.raw_decode(text, match.start())[0]
        except ValueError:
            continue
    raise CondaError('conda did not print JSON: %s' % text.strip()[:500])


# ---------------------------------------------------------------- environments

def _norm(path):
    return os.path.normpath(path) if path else path


def list_envs(env_list, info=None):
    """Turn ``conda env list --json`` (and optionally ``conda info --json``) into env dicts.

    Each dict has ``name`` (None for an env outside every envs dir), ``prefix``
    and ``is_base``. Names come from ``envs_details`` (conda 25.11+), else from
    ``envs_dirs``; the root prefix is ``base``.
    """
    info = info or {}
    details = env_list.get('envs_details') or info.get('envs_details') or {}
    prefixes = env_list.get('envs')
    if prefixes is None:
        prefixes = list(details)
    root = _norm(info.get('root_prefix') or env_list.get('root_prefix')
                 or info.get('base environment'))
    envs_dirs = [_norm(d) for d in (info.get('envs_dirs') or info.get('envs directories') or [])]
    result = []
    for prefix in prefixes:
        detail = details.get(prefix) or {}
        prefix = _norm(prefix)
        is_base = bool(detail.get('base')) or (root is not None and prefix == root)
        name = detail.get('name')
        if is_base:
            name = 'base'
        elif not name and os.path.dirname(prefix) in envs_dirs:
            name = os.path.basename(prefix)
        result.append({'name': name or None, 'prefix': prefix, 'is_base': is_base})
    return result


def root_prefix(envs, info=None):
    if info and info.get('root_prefix'):
        return _norm(info['root_prefix'])
    for env in envs:
        if env['is_base']:
            return env['prefix']
    return None


def default_env_prefix(name, info, envs=None):
    """Where ``conda create -n NAME`` would put a new env: the first envs dir."""
    envs_dirs = info.get('envs_dirs') or info.get('envs directories') or []
    if envs_dirs:
        return os.path.join(_norm(envs_dirs[0]), name)
    root = root_prefix(envs or [], info)
    if root:
        return os.path.join(root, 'envs', name)
    raise CondaError('cannot tell where environment %s belongs: conda reports no envs_dirs' % name)


# Characters conda refuses in an environment name (conda.base.context.validate_prefix_name).
NAME_DISALLOWED_CHARS = ('/', ' ', ':', '#')


def validate_env_name(name):
    """Refuse a name conda would refuse, before it becomes a path under envs/."""
    bad = sorted(set(char for char in name if char in NAME_DISALLOWED_CHARS or not char.isprintable()))
    if bad or name in ('.', '..'):
        raise CondaError("invalid environment name %r: a name must not be '.' or '..' nor contain %s "
                         "(give a path as prefix instead)" % (name, ', '.join(repr(x) for x in bad or NAME_DISALLOWED_CHARS)),
                         exception_name='CondaValueError')
    return name


def resolve_env(envs, name=None, prefix=None, info=None, exists=None):
    """Find the env asked for by ``name`` or ``prefix``.

    Returns ``(env, prefix)``: ``env`` is the matching dict from
    :func:`list_envs` or None when it does not exist; ``prefix`` is where it is
    (or would be created). ``exists(prefix)`` tells whether an unregistered
    directory is an environment anyway (it has ``conda-meta``).
    """
    if bool(name) == bool(prefix):
        raise CondaError('give exactly one of name or prefix')
    if exists is None:
        def exists(path):
            return os.path.isdir(os.path.join(path, 'conda-meta'))
    if name:
        validate_env_name(name)
        if name in ('base', 'root'):
            for env in envs:
                if env['is_base']:
                    return env, env['prefix']
        for env in envs:
            if env['name'] == name:
                return env, env['prefix']
        target = default_env_prefix(name, info or {}, envs)
    else:
        target = _norm(os.path.abspath(os.path.expanduser(prefix)))
        for env in envs:
            if env['prefix'] == target:
                return env, target
    if exists(target):
        return {'name': name or None, 'prefix': target, 'is_base': False}, target
    return None, target


# ---------------------------------------------------------------- packages

def _record(entry):
    """A package record from ``conda list --json`` or a LINK/UNLINK entry."""
    if isinstance(entry, dict):
        build = entry.get('build_string', entry.get('build'))
        return {
            'name': entry.get('name'),
            'version': str(entry.get('version', '')),
            'build': build or '',
            'channel': entry.get('channel') or '',
        }
    # conda < 4.4 printed dist strings: "channel::name-version-build"
    text = str(entry)
    channel = ''
    if '::' in text:
        channel, text = text.split('::', 1)
    parts = text.rsplit('-', 2)
    if len(parts) == 3:
        return {'name': parts[0], 'version': parts[1], 'build': parts[2], 'channel': channel}
    return {'name': text, 'version': '', 'build': '', 'channel': channel}


def parse_package_list(data):
    """``conda list -p PREFIX --json`` -> {name: record}."""
    if isinstance(data, dict):
        # an error object instead of a list
        raise CondaError(parse_error(data))
    packages = {}
    for entry in data or []:
        rec = _record(entry)
        if rec['name']:
            packages[rec['name']] = rec
    return packages


def package_lines(packages):
    """Sorted ``name==version`` lines (for diff output)."""
    return ['%s==%s' % (name, packages[name]['version']) for name in sorted(packages)]


def diff_packages(before, after):
    """Compare two {name: record} maps -> (added, removed, changed)."""
    added = ['%s==%s' % (n, after[n]['version']) for n in sorted(after) if n not in before]
    removed = ['%s==%s' % (n, before[n]['version']) for n in sorted(before) if n not in after]
    changed = []
    for name in sorted(set(before) & set(after)):
        old, new = before[name], after[name]
        if (old['version'], old['build']) != (new['version'], new['build']):
            changed.append({'name': name, 'before': old['version'], 'after': new['version']})
    return added, removed, changed


# ---------------------------------------------------------------- versions

_SPECIAL = {'dev': (0, ''), 'post': (3, '')}


def _atom_key(atom):
    if isinstance(atom, int):
        return (2, atom)
    if atom in _SPECIAL:
        return _SPECIAL[atom]
    return (1, atom)


def _split_component(component):
    atoms = []
    for num, word in re.findall(r'(\d+)|([^\d]+)', component):
        atoms.append(int(num) if num else word)
    if atoms and not isinstance(atoms[0], int):
        atoms.insert(0, 0)
    return atoms or [0]


def _split_version(text):
    return [_split_component(c) for c in re.split(r'[._]', text) if c != '']


class Version(object):
    """A version ordered in the spirit of conda's ``VersionOrder``.

    Epoch (``N!``), then the dotted version, then a local part (``+...``).
    Components split on ``.`` and ``_``; each one into numbers and words;
    ``dev`` sorts below other words, words below numbers (so ``1.1a1 < 1.1``),
    ``post`` above everything; missing components count as 0 (``1.1 == 1.1.0``).
    """

    def __init__(self, text):
        self.text = str(text).strip()
        norm = self.text.lower().replace('-', '_')
        epoch = 0
        if '!' in norm:
            head, norm = norm.split('!', 1)
            epoch = int(head) if head.isdigit() else 0
        local = ''
        if '+' in norm:
            norm, local = norm.split('+', 1)
        self.epoch = epoch
        self.parts = _split_version(norm)
        self.local = _split_version(local) if local else []

    @staticmethod
    def _cmp_lists(left, right):
        for i in range(max(len(left), len(right))):
            a = left[i] if i < len(left) else [0]
            b = right[i] if i < len(right) else [0]
            for j in range(max(len(a), len(b))):
                x = _atom_key(a[j] if j < len(a) else 0)
                y = _atom_key(b[j] if j < len(b) else 0)
                if x != y:
                    return -1 if x < y else 1
        return 0

    def compare(self, other):
        if not isinstance(other, Version):
            other = Version(other)
        if self.epoch != other.epoch:
            return -1 if self.epoch < other.epoch else 1
        result = self._cmp_lists(self.parts, other.parts)
        if result or self.local == other.local:
            return result
        if not self.local or not other.local:
            # a local version sorts after the same version without one
            return -1 if not self.local else 1
        return self._cmp_lists(self.local, other.local)

    def startswith(self, prefix):
        """True when ``prefix``'s components are the leading components of this version."""
        if not isinstance(prefix, Version):
            prefix = Version(prefix)
        if self.epoch != prefix.epoch or len(prefix.parts) > len(self.parts):
            return False
        return all(self._cmp_lists([a], [b]) == 0 and len(a) == len(b)
                   for a, b in zip(self.parts, prefix.parts))

    def __eq__(self, other):
        return self.compare(other) == 0

    def __ne__(self, other):
        return self.compare(other) != 0

    def __lt__(self, other):
        return self.compare(other) < 0

    def __le__(self, other):
        return self.compare(other) <= 0

    def __gt__(self, other):
        return self.compare(other) > 0

    def __ge__(self, other):
        return self.compare(other) >= 0

    def __hash__(self):
        return hash(self.text)

    def __repr__(self):
        return 'Version(%r)' % self.text


def _glob_match(version, pattern):
    """``1.26.*`` / ``1.26*`` -> prefix match on components; other ``*`` -> glob."""
    stripped = pattern
    if stripped.endswith('.*'):
        stripped = stripped[:-2]
    elif stripped.endswith('*'):
        stripped = stripped[:-1].rstrip('.')
    if '*' not in stripped:
        if not stripped:
            return True
        return Version(version).startswith(stripped)
    return fnmatch.fnmatchcase(version, pattern)


_OPS = ('==', '!=', '>=', '<=', '~=', '>', '<', '=')


def _clause_match(version, clause):
    clause = clause.strip()
    if clause in ('', '*'):
        return True
    op = ''
    for candidate in _OPS:
        if clause.startswith(candidate):
            op = candidate
            break
    target = clause[len(op):].strip()
    if not target:
        raise CondaError('invalid version constraint %r' % clause)
    if op in ('', '==') and '*' in target:
        return _glob_match(version, target)
    if op == '!=' and '*' in target:
        return not _glob_match(version, target)
    if op == '=':
        return _glob_match(version, target.rstrip('*').rstrip('.') + '.*')
    if op == '~=':
        parts = target.split('.')
        return (Version(version) >= Version(target)
                and _glob_match(version, '.'.join(parts[:-1]) + '.*' if len(parts) > 1 else '*'))
    ver, want = Version(version), Version(target)
    if op in ('', '=='):
        return ver == want
    if op == '!=':
        return ver != want
    if op == '>=':
        return ver >= want
    if op == '<=':
        return ver <= want
    if op == '>':
        return ver > want
    return ver < want


def version_matches(version, constraint):
    """Does ``version`` satisfy a conda version constraint?

    ``|`` separates alternatives, ``,`` joins clauses that must all hold;
    clauses are ``1.2.3`` (exact), ``1.2.*`` (prefix), ``>=1.2``, ``<2``,
    ``!=1.3``, ``~=1.2``, ``=1.2`` (prefix).
    """
    if constraint is None or constraint.strip() in ('', '*'):
        return True
    for alternative in constraint.split('|'):
        if all(_clause_match(version, c) for c in alternative.split(',')):
            return True
    return False


_NAME = r'[A-Za-z0-9_][A-Za-z0-9_.\-]*'
# A version constraint: clauses joined by ',' (and) and '|' (or), each an optional
# operator and a version, '*' globs allowed (conda's VersionSpec, without parentheses).
_CLAUSE = r'(==|!=|>=|<=|~=|>|<|=)?[0-9A-Za-z_.*+!-]+'
_VERSION_SPEC = re.compile(r'^%s([,|]%s)*\Z' % (_CLAUSE, _CLAUSE))


class MatchSpec(object):
    """A conda match spec, the parts this collection needs.

    ``name``, ``name=1.2`` (1.2 or 1.2.x), ``name==1.2.3``, ``name>=1.2,<2``,
    ``name 1.26.*``, ``name=1.2.3=py311_0`` (build, ``*`` glob allowed),
    ``name 1.2.3 py311*``, ``conda-forge::name``, ``name[version='>=1', build=py*]``.
    """

    def __init__(self, spec):
        self.spec = str(spec).strip()
        text = self.spec
        if text.startswith('-') or '\n' in str(spec) or '\r' in str(spec):
            raise CondaError('invalid conda match spec %r: a spec must not start with "-" '
                             '(it would be read as an option) or span lines' % (spec,))
        self.channel = None
        if '::' in text:
            self.channel, text = text.split('::', 1)
            self.channel = self.channel.strip()
            if not self.channel or self.channel.startswith('-'):
                raise CondaError('invalid conda match spec %r: the channel before "::" must be a '
                                 'channel name or URL' % self.spec)
        bracket = {}
        match = re.match(r'^(?P<body>[^\[]*)\[(?P<kv>.*)\]\s*$', text)
        if match:
            text = match.group('body')
            for key, value in re.findall(r"(\w+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^,\]]+)", match.group('kv')):
                bracket[key] = value.strip().strip('\'"')
        match = re.match(r'^\s*(?P<name>%s)\s*(?P<rest>.*)$' % _NAME, text)
        if not match:
            raise CondaError('invalid conda match spec %r' % self.spec)
        self.name = match.group('name')
        rest = re.sub(r'\s*([,|])\s*', r'\1', match.group('rest').strip())
        rest = re.sub(r'(==|!=|>=|<=|~=|>|<)\s+', r'\1', rest)
        self.version = None
        self.build = None
        if rest:
            if rest.startswith('=') and not rest.startswith('=='):
                pieces = rest[1:].split('=')
                if len(pieces) == 1 or not pieces[1]:
                    version = pieces[0]
                    self.version = version if ('*' in version or not version) else version + '.*'
                else:
                    self.version = pieces[0]
                    self.build = '='.join(pieces[1:])
            else:
                pieces = rest.split()
                self.version = pieces[0]
                if len(pieces) > 1:
                    self.build = pieces[1]
                if len(pieces) > 2:
                    raise CondaError('invalid conda match spec %r' % self.spec)
        if 'version' in bracket:
            self.version = bracket['version']
        if self.version is not None and not _VERSION_SPEC.match(self.version):
            raise CondaError('invalid conda match spec %r: %r is not a version constraint '
                             '(like 1.2, >=1.2,<2 or 1.2.*)' % (self.spec, self.version))
        if 'build' in bracket:
            self.build = bracket['build']
        if 'channel' in bracket:
            self.channel = bracket['channel']
        if self.version is not None:
            self.version = self.version.replace(' ', '')
            # validate early: raises on nonsense such as ">="
            version_matches('0', self.version)

    @property
    def is_name_only(self):
        return self.version in (None, '*') and self.build in (None, '*') and not self.channel

    def match(self, record):
        """Does an installed package record satisfy this spec?"""
        if record is None or record.get('name') != self.name:
            return False
        if self.version is not None and not version_matches(record.get('version', ''), self.version):
            return False
        if self.build is not None and not fnmatch.fnmatchcase(record.get('build', ''), self.build):
            return False
        if self.channel:
            have = (record.get('channel') or '').rstrip('/')
            want = self.channel.rstrip('/')
            if have and have != want and not have.endswith('/' + want) \
                    and not want.endswith('/' + have):
                return False
        return True

    def __repr__(self):
        return 'MatchSpec(%r)' % self.spec


def unsatisfied_specs(installed, specs):
    """The specs (strings) that the installed {name: record} map does not satisfy."""
    missing = []
    for spec in specs:
        parsed = MatchSpec(spec)
        if not parsed.match(installed.get(parsed.name)):
            missing.append(spec)
    return missing


def specs_satisfied(installed, specs):
    """The no-op fast path: True when no solver call is needed."""
    return not unsatisfied_specs(installed, specs)


# ---------------------------------------------------------------- pip

def pep503(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def parse_pip_list(data):
    """``pip list --format json`` -> {normalized name: version}."""
    return dict((pep503(d['name']), str(d['version'])) for d in data or [] if d.get('name'))


_PIP_SPEC = re.compile(r'^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._\-]*)\s*(\[[^\]]*\])?\s*(?P<rest>[^;]*)$')


def check_pip_spec(spec):
    """Refuse a pip requirement that pip would read as an option (``--index-url=...``,
    ``-e``, ``-r file``) or that spans lines: options never come from package lists."""
    text = str(spec).strip()
    if not text or text.startswith('-') or '\n' in str(spec) or '\r' in str(spec):
        raise CondaError('invalid pip requirement %r: a requirement must not be empty, start with "-" '
                         '(pip would read it as an option) or span lines' % (spec,))
    return text


def pip_spec_satisfied(installed, spec):
    """True when ``name``, ``name==x``, ``name>=x`` (and other PEP 440 comparisons,
    comma-joined) is satisfied by ``installed`` ({normalized name: version}).
    URLs, paths and markers are never considered satisfied: pip decides."""
    match = _PIP_SPEC.match(spec)
    if not match or ';' in spec or '@' in spec or '/' in spec:
        return False
    version = installed.get(pep503(match.group('name')))
    if version is None:
        return False
    rest = match.group('rest').replace(' ', '')
    if not rest:
        return True
    for clause in rest.split(','):
        if clause.startswith('==='):
            if version != clause[3:]:
                return False
        elif not re.match(r'^(==|!=|>=|<=|~=|>|<)', clause):
            return False
        elif not version_matches(version, clause):
            return False
    return True


def unsatisfied_pip_specs(installed, specs):
    return [s for s in specs if not pip_spec_satisfied(installed, s)]


# ---------------------------------------------------------------- commands

def channel_args(channels=None, override_channels=False):
    args = []
    for channel in channels or []:
        args.extend(['-c', channel])
    if override_channels:
        args.append('--override-channels')
    return args


def _solver_cmd(exe, verb, prefix, specs, channels, override_channels, dry_run):
    cmd = [exe, verb, '--yes', '--json', '-p', prefix]
    cmd.extend(channel_args(channels, override_channels))
    if dry_run:
        cmd.append('--dry-run')
    # "--": whatever the specs hold, conda reads them as package specs, never as options.
    cmd.append('--')
    cmd.extend(specs)
    return cmd


def create_cmd(exe, prefix, specs, channels=None, override_channels=False, dry_run=False):
    return _solver_cmd(exe, 'create', prefix, specs, channels, override_channels, dry_run)


def install_cmd(exe, prefix, specs, channels=None, override_channels=False, dry_run=False):
    return _solver_cmd(exe, 'install', prefix, specs, channels, override_channels, dry_run)


def update_cmd(exe, prefix, names, channels=None, override_channels=False, dry_run=False):
    return _solver_cmd(exe, 'update', prefix, names, channels, override_channels, dry_run)


def with_dry_run(cmd):
    """``cmd`` with ``--dry-run`` among its options: before the ``--`` that ends them, if any."""
    if '--dry-run' in cmd:
        return list(cmd)
    if '--' in cmd:
        end = cmd.index('--')
        return cmd[:end] + ['--dry-run'] + cmd[end:]
    return list(cmd) + ['--dry-run']


def remove_cmd(exe, prefix, dry_run=False):
    cmd = [exe, 'remove', '--all', '--yes', '--json', '-p', prefix]
    if dry_run:
        cmd.append('--dry-run')
    return cmd


def clone_cmd(exe, prefix, source, dry_run=False):
    cmd = [exe, 'create', '--yes', '--json', '-p', prefix, '--clone', source]
    if dry_run:
        cmd.append('--dry-run')
    return cmd


def env_create_cmd(exe, prefix, file):
    # `conda env create` takes its channels from the file: it has no -c option
    return [exe, 'env', 'create', '--json', '-p', prefix, '-f', file]


def env_update_cmd(exe, prefix, file, prune=True):
    cmd = [exe, 'env', 'update', '--json', '-p', prefix, '-f', file]
    if prune:
        cmd.append('--prune')
    return cmd


def list_cmd(exe, prefix):
    return [exe, 'list', '-p', prefix, '--json']


def info_cmd(exe):
    return [exe, 'info', '--json']


def env_list_cmd(exe):
    return [exe, 'env', 'list', '--json']


def env_python(prefix):
    return os.path.join(prefix, 'bin', 'python')


def pip_install_cmd(prefix, specs, upgrade=False):
    cmd = [env_python(prefix), '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input']
    if upgrade:
        cmd.append('--upgrade')
    return cmd + ['--'] + list(specs)


def pip_list_cmd(prefix):
    return [env_python(prefix), '-m', 'pip', 'list', '--format', 'json', '--disable-pip-version-check']


# ---------------------------------------------------------------- results

def _entries(actions, key):
    value = actions.get(key) or []
    return value if isinstance(value, list) else [value]


def parse_result(data):
    """A successful ``--json`` result of create/install/update/remove.

    Returns a dict with ``success``, ``dry_run``, ``nothing_to_do``,
    ``added``/``removed`` (``name==version``), ``changed`` ({name, before, after})
    and ``fetch`` (package names conda would download).
    """
    if not isinstance(data, dict):
        raise CondaError('unexpected conda output: %r' % (data,))
    if data.get('success') is False or 'exception_name' in data or 'error' in data:
        raise error_from_json(data)
    actions = data.get('actions') or {}
    if isinstance(actions, list):
        # conda < 4.4 could print a list of action groups
        merged = {}
        for group in actions:
            for key in ('LINK', 'UNLINK', 'FETCH'):
                merged.setdefault(key, []).extend(_entries(group, key))
        actions = merged
    link = dict((r['name'], r) for r in (_record(e) for e in _entries(actions, 'LINK')))
    unlink = dict((r['name'], r) for r in (_record(e) for e in _entries(actions, 'UNLINK')))
    changed = diff_packages(unlink, link)[2]
    # link-only entries are additions, unlink-only removals; both: a change
    result = {
        'success': True,
        'dry_run': bool(data.get('dry_run')),
        'nothing_to_do': data.get('message') == NOTHING_TO_DO or not (link or unlink),
        'changed': changed,
        'fetch': sorted(set(_record(e)['name'] for e in _entries(actions, 'FETCH'))),
        'message': data.get('message'),
        'prefix': data.get('prefix') or actions.get('PREFIX'),
    }
    result['added'] = ['%s==%s' % (n, link[n]['version']) for n in sorted(link) if n not in unlink]
    result['removed'] = ['%s==%s' % (n, unlink[n]['version']) for n in sorted(unlink) if n not in link]
    return result


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _describe(err):
    name = err.get('exception_name') or ''
    message = (err.get('message') or err.get('error') or '').strip()
    packages = _as_list(err.get('packages'))
    if not packages and err.get('bad_deps'):
        packages = _as_list(err.get('bad_deps'))
    if not packages and err.get('package_name') and err.get('package_name') is not True:
        packages = _as_list(err.get('package_name'))
    channels = _as_list(err.get('channel_urls'))
    if name in NOT_FOUND_ERRORS:
        if name in ('PackageNotInstalledError', 'PackagesNotFoundInPrefixError') or \
                (not channels and err.get('prefix')):
            where = err.get('prefix') or 'the environment'
            text = 'packages not installed in %s: %s' % (where, ', '.join(packages) or message)
        else:
            text = 'packages not found: %s' % (', '.join(packages) or message)
            if channels:
                text += '; channels searched: %s' % ', '.join(channels)
    elif name == 'UnsatisfiableError':
        text = 'the requested packages conflict (UnsatisfiableError): %s' % message
    elif name:
        text = '%s: %s' % (name, message)
    else:
        text = message or json.dumps(err, sort_keys=True)
    caused_by = err.get('caused_by')
    if caused_by and caused_by not in ('None', 'null'):
        text += ' (caused by %s)' % caused_by
    return text, name, packages, channels


def error_from_json(data):
    """A :class:`CondaError` from conda's ``--json`` error object (stdout, exit != 0)."""
    if not isinstance(data, dict):
        return CondaError('conda failed: %r' % (data,))
    errors = data.get('errors')
    if errors:
        described = [_describe(e) for e in errors if isinstance(e, dict)]
        text = '; '.join(d[0] for d in described)
        packages = [p for d in described for p in d[2]]
        channels = []
        for d in described:
            channels.extend(c for c in d[3] if c not in channels)
        return CondaError(text, data.get('exception_name') or 'CondaMultiError', packages, channels)
    text, name, packages, channels = _describe(data)
    return CondaError(text, name or None, packages, channels)


def parse_error(data):
    """A clear message from conda's ``--json`` error object."""
    return error_from_json(data).message


def error_from_output(rc, out, err):
    """A :class:`CondaError` for a failed command, from JSON if it printed any."""
    try:
        data = load_json(out)
    except CondaError:
        data = None
    if isinstance(data, dict) and (data.get('exception_name') or data.get('errors')
                                   or data.get('error') or data.get('success') is False):
        return error_from_json(data)
    detail = (err or '').strip() or (out or '').strip()
    return CondaError('command failed with exit code %s: %s' % (rc, detail[-2000:]))


# ---------------------------------------------------------------- environment files

def file_digest(content):
    """sha256 of an environment file's bytes (plus nothing else)."""
    if not isinstance(content, bytes):
        content = content.encode('utf-8')
    return hashlib.sha256(content).hexdigest()


def hash_path(prefix):
    return os.path.join(prefix, HASH_FILE)


# ---------------------------------------------------------------- client

# Every command runs with these: messages in English (some are read), and neither conda
# nor pip waits for an answer to a prompt.
COMMAND_ENVIRON = {'LC_ALL': 'C', 'CONDA_ALWAYS_YES': 'true', 'PIP_NO_INPUT': '1'}
NOT_RUN = '  # not run in check mode'


def quote_cmd(cmd):
    """One command as one shell-quoted string (for the ``cmd`` return value only)."""
    return ' '.join(shlex.quote(str(arg)) for arg in cmd)


class CondaClient(object):
    """The one way the modules run conda (and an environment's pip).

    ``run_command(argv, check_rc=False, environ_update=...)`` runs an argv list, never
    a shell line, and returns ``(rc, stdout, stderr)``: ``AnsibleModule.run_command``.
    A failed command becomes one :class:`CondaError` that carries conda's own message
    (its JSON ``message``/``error`` and ``exception_name``). ``commands`` lists what
    ran, and in check mode what would run: the dry runs, and the commands that have
    no dry run marked :data:`NOT_RUN`.
    """

    def __init__(self, run_command, executable=None, path_lookup=None, check_mode=False,
                 prefixes=DEFAULT_PREFIXES, is_exe=_is_exe):
        self.exe = find_executable(executable, prefixes=prefixes, path_lookup=path_lookup, is_exe=is_exe)
        self.check_mode = check_mode
        self.commands = []
        self._run_command = run_command

    # -------------------------------------------------------------- running

    def run(self, cmd, record=True, check_rc=True):
        """Run ``cmd``; raise a :class:`CondaError` when it fails, unless ``check_rc`` is False."""
        cmd = list(cmd)
        if record:
            self.commands.append(quote_cmd(cmd))
        rc, out, err = self._run_command(cmd, check_rc=False, environ_update=dict(COMMAND_ENVIRON))
        if rc != 0 and check_rc:
            raise error_from_output(rc, out, err)
        return rc, out, err

    def run_json(self, cmd, record=False):
        """Run ``cmd`` and return its JSON output, decoded."""
        return load_json(self.run(cmd, record=record)[1])

    def plan(self, cmd):
        """Note a command that check mode does not run."""
        self.commands.append(quote_cmd(cmd) + NOT_RUN)

    def change(self, cmd, check_rc=True):
        """Run a command that changes the target; in check mode only :meth:`plan` it (None)."""
        if self.check_mode:
            self.plan(cmd)
            return None
        return self.run(cmd, check_rc=check_rc)

    def solve(self, cmd):
        """Run a create/install/update/remove ``--json`` command; in check mode its dry run.

        Returns :func:`parse_result`'s dict. A real run that succeeded without printing
        JSON gives ``{'nothing_to_do': False}``: the caller reads the package lists.
        """
        if self.check_mode:
            cmd = with_dry_run(cmd)
        out = self.run(cmd)[1]
        try:
            return parse_result(load_json(out))
        except CondaError:
            if self.check_mode:
                raise
            return {'nothing_to_do': False}

    # -------------------------------------------------------------- reading

    def version(self):
        return parse_version_output(self.run([self.exe, '--version'], record=False)[1])

    def info(self):
        return self.run_json(info_cmd(self.exe))

    def envs(self, info=None):
        """The environments (:func:`list_envs`), named with the help of ``info``."""
        return list_envs(self.run_json(env_list_cmd(self.exe)), info)

    def packages(self, prefix):
        """{name: record} of the packages installed in ``prefix``."""
        return parse_package_list(self.run_json(list_cmd(self.exe, prefix)))
