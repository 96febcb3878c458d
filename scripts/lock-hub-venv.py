# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make (or check) the hub venv's lock, roles/jupyterhub/files/hub-venv.lock.txt.

The lock holds every package of the hub venv with its exact version and the sha256 of
every file PyPI has for it, for Python 3.11 and later on any platform (environment
markers pick the right lines on each host). It is resolved by `uv pip compile
--universal` from the role's pins (defaults/main.yml) and held-back versions
(vars/main.yml), with nothing newer than the date in the lock's header: the same pins
give the same file on any day. The index is the host's own pip configuration
(PIP_INDEX_URL or `pip config get global.index-url`), else uv's default.

    make lock                          # write the lock again (keeps its date)
    make lock LOCK_DATE=2027-01-15     # take releases up to that day (a new pin needs it)
    make lock-check                    # fail when the lock does not hold the pins

`make lock-check` fails when the lock misses a pin or a held-back version, or has a
package line without a hash. It then resolves the pins again against the index, for
the lock's date, and shows any difference without failing: the index this machine
reaches has served files dated before the lock's date that it did not serve when the
lock was made (a mirror catching up), so a fresh resolution can differ from a lock that
is still right, with no commit in between. `make lock` takes the new resolution.
"""

import argparse
import datetime
import difflib
import os
import re
import subprocess
import sys

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLE = os.path.join(ROOT, 'roles', 'jupyterhub')
LOCK = os.path.join(ROLE, 'files', 'hub-venv.lock.txt')
DATE_LINE = re.compile(r'^# exclude-newer: (\S+)$', re.M)
HEADER = """\
# The hub venv's lock (teamhub.jupyter.jupyterhub): every package, its exact version and
# the sha256 of each of its files, for Python 3.11 and later; the markers pick the lines
# for each host. Installed with pip --require-hashes. Made by `make lock` from the role's
# pins (defaults/main.yml) with nothing newer than the date below; do not edit by hand.
# exclude-newer: {date}
"""


def requirements():
    """The lock's input: the role's pins and held-back versions, one per line."""
    with open(os.path.join(ROLE, 'defaults', 'main.yml'), encoding='utf-8') as f:
        defaults = yaml.safe_load(f)
    with open(os.path.join(ROLE, 'vars', 'main.yml'), encoding='utf-8') as f:
        role_vars = yaml.safe_load(f)
    # The role's own list of pins (vars/main.yml): the package before "==", the version
    # from the setting the pin names.
    pins = ['%s==%s' % (pin['requirement'].split('==')[0], defaults[pin['setting']]) for pin in role_vars['__jupyterhub_pins']]
    return pins + list(role_vars['__jupyterhub_pip_constraints'])


def index_url():
    """The host's own PyPI mirror, if it has one."""
    url = os.environ.get('PIP_INDEX_URL', '')
    if not url:
        found = subprocess.run([sys.executable, '-m', 'pip', 'config', 'get', 'global.index-url'],
                               capture_output=True, text=True, check=False)
        url = found.stdout.strip() if found.returncode == 0 else ''
    return url


def lock_versions(lock):
    """{canonical name: version} of the lock's package lines, and the names without a hash."""
    versions, unhashed = {}, []
    for block in re.split(r'\n(?=[A-Za-z0-9])', lock):
        first = block.split('\n', 1)[0]
        found = re.match(r'^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)', first)
        if not found:
            continue
        name = canonicalize_name(found.group(1))
        versions[name] = found.group(2)
        if '--hash=sha256:' not in block:
            unhashed.append(name)
    return versions, unhashed


def pin_problems(lock):
    """What is wrong between the lock and the role's pins, one sentence each (none: it holds them)."""
    versions, unhashed = lock_versions(lock)
    problems = ['%s has no hash' % name for name in unhashed]
    for line in requirements():
        requirement = Requirement(line)
        version = versions.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append('%s is not in the lock' % line)
            continue
        try:
            held = Version(version) in requirement.specifier
        except InvalidVersion:
            held = False
        if not held:
            problems.append('the lock has %s==%s, the role asks for %s' % (requirement.name, version, line))
    return problems


def compile_lock(date):
    uv = os.path.join(os.path.dirname(sys.executable), 'uv')
    command = [uv if os.path.exists(uv) else 'uv', 'pip', 'compile', '--universal', '--python-version', '3.11', '--generate-hashes',
               '--no-header', '--no-annotate', '--quiet', '--native-tls', '--exclude-newer', date, '-']
    url = index_url()
    if url:
        command[3:3] = ['--index-url', url]
    # uv reads no pip configuration; its own cache is fine.
    env = dict(os.environ, UV_NO_CONFIG='1')
    done = subprocess.run(command, input='\n'.join(requirements()) + '\n', capture_output=True,
                          text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit('uv pip compile failed:\n' + done.stderr)
    return HEADER.format(date=date) + done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--check', action='store_true', help='compare with the committed lock, write nothing')
    parser.add_argument('--date', default='', help='take releases up to this day (YYYY-MM-DD or RFC 3339)')
    args = parser.parse_args()
    try:
        with open(LOCK, encoding='utf-8') as f:
            current = f.read()
    except FileNotFoundError:
        current = ''
    date = args.date
    if date and re.fullmatch(r'\d{4}-\d{2}-\d{2}', date):
        date += 'T00:00:00Z'
    if not date:
        found = DATE_LINE.search(current)
        date = found.group(1) if found else datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT00:00:00Z')
    relative = os.path.relpath(LOCK, ROOT)
    if args.check:
        problems = pin_problems(current)
        if problems:
            sys.exit('%s does not hold the role\'s pins: %s. Run `make lock` and commit it.' % (relative, '; '.join(problems)))
    lock = compile_lock(date)
    if args.check:
        if lock != current:
            sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), lock.splitlines(True),
                                                       relative, 'what the index gives now', n=1))
            print('%s holds every pin; the package index now resolves them differently for releases up to %s'
                  ' (files it did not serve when the lock was made). `make lock` takes that.' % (relative, date))
            return
        print('%s: what the pins give (releases up to %s)' % (relative, date))
        return
    with open(LOCK, 'w', encoding='utf-8') as f:
        f.write(lock)
    print('wrote %s: %d packages, releases up to %s' % (relative, len(re.findall(r'^[A-Za-z0-9]', lock, re.M)), date))


if __name__ == '__main__':
    main()
