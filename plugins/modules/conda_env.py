#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: conda_env
short_description: Manage a conda environment and its packages
version_added: 0.1.0
description:
  - Create, update or remove a conda environment, by name or by prefix.
  - Packages are conda match specs; when the installed packages already satisfy every
    spec, conda is not asked to solve anything (fast, idempotent no-op).
  - An C(environment.yml) on the target can drive the environment; the module keeps a
    hash of the file inside the environment and applies the file again only when it changed.
  - Extra packages can be installed with the environment's own C(python -m pip).
  - A locked environment (O(lock), O(pip_lock)) gets exactly the packages of its lock, installed
    from conda's explicit format without the solver and with pip's C(--require-hashes); a package
    that differs from the lock is put back and named in RV(drift).
  - Never runs C(conda create) on an existing environment (conda would delete it first).
    When creating it fails, or a later step of the same run (packages, O(pip_packages), O(pip_lock)),
    the half-made prefix is removed again.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details: Uses conda's C(--dry-run --json); a missing environment is reported as to be created.
  diff_mode:
    details: Shows the installed packages before and after as C(name==version) lines.
options:
  name:
    description:
      - Name of the environment, placed in conda's first C(envs_dirs) entry when created.
      - C(base) is the root environment.
      - Exactly one of O(name) and O(prefix) is required.
    type: str
  prefix:
    description:
      - Full path of the environment. Exactly one of O(name) and O(prefix) is required.
    type: path
  state:
    description:
      - V(present) makes sure the environment exists and satisfies O(packages).
      - V(latest) also updates the listed packages to the newest versions the channels offer.
      - V(absent) removes the environment (never the base environment).
    type: str
    choices: [present, absent, latest]
    default: present
  packages:
    description:
      - Conda match specs, for example V(numpy), V(numpy=1.26), V(numpy>=1.26,<2),
        V(conda-forge::pandas), V(python=3.12).
    type: list
    elements: str
    default: []
  channels:
    description:
      - Channels to search, in order (C(-c) options), for O(packages).
      - An environment file lists its own channels; these do not apply to it.
    type: list
    elements: str
    default: []
  override_channels:
    description:
      - Do not search the channels from C(.condarc), only O(channels).
    type: bool
    default: false
  file:
    description:
      - Path of an environment file (C(environment.yml)) on the target.
      - Creates the environment from it when the environment is missing; when the file's
        content differs from the last applied one, runs C(conda env update --prune) with it.
      - The sha256 of the applied file is kept in C(PREFIX/conda-meta/teamhub-environment.sha256).
      - O(packages) and O(pip_packages) are applied after the file. Mutually exclusive with O(clone).
    type: path
  pip_packages:
    description:
      - Requirements installed with the environment's C(python -m pip), for example
        V(rich), V(rich==13.9.4), V(rich>=13).
      - Installed only when pip's list of installed distributions does not satisfy them
        (O(state=latest) then upgrades those, and only those).
      - The environment must contain C(python) and C(pip).
    type: list
    elements: str
    default: []
  lock:
    description:
      - Path on the target of the environment's conda lock, in conda's explicit format, as
        C(conda list --explicit --md5) prints it (or C(conda-lock render --kind explicit)),
        that is C(@EXPLICIT), then one package URL per line with an optional C(#md5) or C(#sha256).
      - The environment is created from it (C(conda create --file), no solver); on later runs
        the installed packages (C(conda list --explicit --md5)) are compared with it; missing
        or changed ones are installed from the lock again (C(conda install --file)), packages
        the lock does not list are removed (C(conda remove --force-remove)), and every
        difference is named in RV(drift).
      - Packages installed with pip (channel C(pypi)) that O(pip_lock) does not list are
        removed too, as the lock describes the whole environment.
      - The lock is read and checked before anything changes; a package URL the channel does
        not have or a hash that does not match fails in conda's download step, before the
        environment changes.
      - A C(# platform:) line must name the target's conda platform.
      - Mutually exclusive with O(packages), O(file), O(clone) and O(state=latest).
    type: path
    version_added: 0.1.0
  pip_lock:
    description:
      - Path on the target of a hashed pip requirements file (every line C(name==version) with
        C(--hash), as C(pip-compile --generate-hashes) or C(uv pip compile --generate-hashes)
        write it), installed with C(pip install --require-hashes --no-deps).
      - Re-runs compare pip's list of installed distributions with it and put changed or
        missing ones back; packages installed with pip that neither lock lists are removed.
      - Mutually exclusive with O(pip_packages).
    type: path
    version_added: 0.1.0
  clone:
    description:
      - Name or prefix of an environment to copy when the target environment does not exist yet.
      - Ignored when the target exists. Mutually exclusive with O(file).
    type: str
  executable:
    description:
      - Path of C(conda), C(mamba) or C(micromamba), or of the installation prefix
        (such as V(/opt/conda)), or a command name.
      - By default C(conda), C(mamba) and C(micromamba) are looked for under
        C(/opt/conda), C(/opt/miniconda3), C(/opt/miniforge3), C(/opt/mambaforge), then on E(PATH).
    type: path
notes:
  - The JSON output of conda 4.4 and later is understood, including the C(envs_details)
    of C(conda env list --json) in conda 25.11 and later and the split package-not-found
    errors of conda 26.3.
  - The commands are conda's (C(create), C(install), C(update), C(remove --all),
    C(env create -f), C(env update -f --prune), C(create --clone)). mamba 1.x shares them;
    micromamba and mamba 2.x are found by O(executable) but differ in places and are not tested.
  - Match specs are compared with the installed packages by this module's own matcher,
    which covers the common spec forms but not every corner of conda's C(MatchSpec).
seealso:
  - module: teamhub.jupyter.conda_env_info
extends_documentation_fragment:
  - teamhub.jupyter.attributes
"""

EXAMPLES = r"""
- name: Make sure the analysis environment has pandas and Python 3.12
  teamhub.jupyter.conda_env:
    name: analysis
    packages:
      - python=3.12
      - pandas>=2.2
      - ipykernel
    channels:
      - conda-forge
    override_channels: true

- name: Keep an environment in step with its environment.yml
  teamhub.jupyter.conda_env:
    prefix: /opt/envs/geo
    file: /srv/teamhub/envs/geo.yml
    executable: /opt/conda/bin/conda

- name: Add a package from PyPI with the environment's own pip
  teamhub.jupyter.conda_env:
    name: analysis
    pip_packages:
      - rich>=13

- name: Build an environment exactly from its locks, and put back what changed by hand
  teamhub.jupyter.conda_env:
    name: analysis
    lock: /etc/teamhub/environments/analysis.conda.lock
    pip_lock: /etc/teamhub/environments/analysis.pip.lock
  register: analysis

- name: Say what a re-run put back
  ansible.builtin.debug:
    msg: "{{ analysis.drift }}"
  when: analysis.drift | length > 0

- name: Copy an environment once
  teamhub.jupyter.conda_env:
    name: analysis-sandbox
    clone: analysis

- name: Remove an environment
  teamhub.jupyter.conda_env:
    name: old-project
    state: absent
"""

RETURN = r"""
prefix:
  description: Path of the environment.
  returned: always
  type: str
  sample: /opt/conda/envs/analysis
name:
  description: Name of the environment, when it is in one of conda's envs directories.
  returned: always
  type: str
  sample: analysis
conda_version:
  description: Version reported by C(conda --version).
  returned: always
  type: str
  sample: 26.1.0
added:
  description: Packages installed (C(name==version)); in check mode, what conda would install.
  returned: always
  type: list
  elements: str
  sample: ["pandas==2.2.3", "pytz==2025.1"]
removed:
  description: Packages removed (C(name==version)).
  returned: always
  type: list
  elements: str
  sample: []
changed_packages:
  description: Packages whose version or build changed.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "numpy", "before": "1.26.4", "after": "2.1.3"}]
  contains:
    name:
      description: Package name.
      type: str
    before:
      description: Version before.
      type: str
    after:
      description: Version after.
      type: str
drift:
  description:
    - With O(lock) or O(pip_lock), how the environment differed from its locks before this run
      (one line per package, changed, missing, or not in the lock); empty when it matched.
    - In check mode, what a real run would put back.
  returned: always
  type: list
  elements: str
  sample: ["conda pandas: 2.2.3-py312h_0 (lock: 2.2.2-py312h_0)", "pip rich: not in the lock"]
cmd:
  description: The commands that ran (or, in check mode, the dry runs), one string each.
  returned: always
  type: list
  elements: str
  sample: ["/opt/conda/bin/conda install --yes --json -p /opt/conda/envs/analysis pandas>=2.2"]
"""

import os
import shlex
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.teamhub.jupyter.plugins.module_utils import conda as c
from ansible_collections.teamhub.jupyter.plugins.module_utils import conda_lock as cl


class ModuleFailed(Exception):
    """Ends the run with a failure; ``result`` holds fail_json's extra keys."""

    def __init__(self, msg, **result):
        super(ModuleFailed, self).__init__(msg)
        self.msg = msg
        self.result = result


class CondaEnv(object):
    """The environment asked for, as conda reports it, and the steps that change it.

    Runs every command through one :class:`CondaClient`; the ``state_*`` functions
    below put the steps together.
    """

    def __init__(self, module, client):
        self.params = module.params
        self.client = client
        self.check = client.check_mode
        self.added = []
        self.removed = []
        self.changed_packages = []
        self.changed = False
        self.drift = []
        self.lock = self.pip_lock = None
        self.version = client.version()
        self.info = client.info()
        self.envs = client.envs(self.info)
        self.env, self.prefix = c.resolve_env(self.envs, name=self.params['name'],
                                              prefix=self.params['prefix'], info=self.info)
        self.root = c.root_prefix(self.envs, self.info)
        if self.env is None and self.params['name'] in ('base', 'root'):
            raise ModuleFailed('conda reports no base environment')

    # -------------------------------------------------------------- reading

    def packages(self):
        return self.client.packages(self.prefix)

    def pip_installed(self):
        python = c.env_python(self.prefix)
        if not os.path.exists(python):
            raise ModuleFailed('pip_packages need python in the environment %s: add python and pip to packages'
                               % self.prefix)
        rc, out, err = self.client.run(c.pip_list_cmd(self.prefix), record=False, check_rc=False)
        if rc != 0:
            raise ModuleFailed('pip_packages need pip in the environment %s: add pip to packages (%s)'
                               % (self.prefix, (err or out).strip()[-500:]))
        return c.parse_pip_list(c.load_json(out))

    # -------------------------------------------------------------- changing

    def solve(self, cmd):
        """A create/install/update/remove (its dry run in check mode); notes what it changes."""
        result = self.client.solve(cmd)
        if not result.get('nothing_to_do'):
            self.changed = True
        if self.check:
            self.added.extend(result.get('added', []))
            self.removed.extend(result.get('removed', []))
            self.changed_packages.extend(result.get('changed', []))
        return result

    def create(self):
        p = self.params
        existed = os.path.lexists(self.prefix)
        if existed and not os.path.isdir(self.prefix):
            raise ModuleFailed('%s exists and is not a directory' % self.prefix)
        if existed and os.listdir(self.prefix):
            raise ModuleFailed('%s exists but is not a conda environment; refusing to create an environment there'
                               % self.prefix)
        if p['clone']:
            source_env, source = c.resolve_env(
                self.envs, name=None if os.sep in p['clone'] else p['clone'],
                prefix=p['clone'] if os.sep in p['clone'] else None, info=self.info)
            if source_env is None:
                raise ModuleFailed('clone source environment %s does not exist' % p['clone'])
            cmd = c.clone_cmd(self.client.exe, self.prefix, source)
        elif p['file']:
            cmd = c.env_create_cmd(self.client.exe, self.prefix, p['file'])
        elif self.lock:
            cmd = cl.create_from_lock_cmd(self.client.exe, self.prefix, p['lock'])
        else:
            cmd = c.create_cmd(self.client.exe, self.prefix, p['packages'], p['channels'], p['override_channels'])
        self.changed = True
        if self.check and self.lock:
            self.added.extend('%s==%s' % (pkg['name'], pkg['version']) for pkg in self.lock['packages'])
            self.client.plan(cmd)
            return
        if self.check:
            if not p['clone'] and not p['file'] and p['packages']:
                # a dry run on a missing prefix is safe: it validates the specs
                self.solve(cmd)
            else:
                self.client.plan(cmd)
            return
        try:
            self.client.run(cmd)
            if p['file']:
                self.write_hash()
        except c.CondaError as exc:
            self.cleanup(existed)
            raise ModuleFailed('creating the environment %s failed: %s' % (self.prefix, exc.message),
                               exception_name=exc.exception_name, packages=exc.packages, channels=exc.channels)

    def cleanup(self, existed):
        if existed or not os.path.isdir(self.prefix):
            return
        self.client.commands.append('rm -rf %s  # half-made environment' % shlex.quote(self.prefix))
        shutil.rmtree(self.prefix, ignore_errors=True)

    def stored_hash(self):
        try:
            with open(c.hash_path(self.prefix)) as fh:
                return fh.read().strip()
        except (IOError, OSError):
            return None

    def file_hash(self):
        try:
            with open(self.params['file'], 'rb') as fh:
                return c.file_digest(fh.read())
        except (IOError, OSError) as exc:
            raise ModuleFailed('cannot read environment file %s: %s' % (self.params['file'], to_native(exc)))

    def write_hash(self):
        with open(c.hash_path(self.prefix), 'w') as fh:
            fh.write(self.file_hash() + '\n')

    def apply_file(self):
        if self.stored_hash() == self.file_hash():
            return
        self.changed = True
        if self.client.change(c.env_update_cmd(self.client.exe, self.prefix, self.params['file'])) is not None:
            self.write_hash()

    def ensure_packages(self, installed, latest=False):
        p = self.params
        missing = c.unsatisfied_specs(installed, p['packages'])
        if missing:
            self.solve(c.install_cmd(self.client.exe, self.prefix, missing, p['channels'], p['override_channels']))
        if latest and p['packages']:
            names = sorted(set(c.MatchSpec(s).name for s in p['packages']))
            present = [n for n in names if n in installed]
            if present:
                self.solve(c.update_cmd(self.client.exe, self.prefix, present, p['channels'], p['override_channels']))

    def ensure_pip(self, upgrade=False):
        specs = self.params['pip_packages']
        if not specs:
            return
        if self.check and not os.path.isdir(self.prefix):
            self.changed = True
            return
        missing = c.unsatisfied_pip_specs(self.pip_installed(), specs)
        if not missing:
            return
        self.changed = True
        ran = self.client.change(c.pip_install_cmd(self.prefix, missing, upgrade=upgrade), check_rc=False)
        if ran is not None and ran[0] != 0:
            rc, out, err = ran
            raise ModuleFailed('pip could not install %s into %s; the conda packages are as they were, '
                               'pip may have installed part of the requirements: %s'
                               % (', '.join(missing), self.prefix, (err or out).strip()[-2000:]), rc=rc)

    # -------------------------------------------------------------- locks

    def read_locks(self):
        """Read and check both locks before anything changes."""
        p = self.params
        if p['lock']:
            self.lock = cl.parse_explicit(self.read_text(p['lock']), p['lock'])
            platform = self.info.get('platform')
            if self.lock['platform'] and platform and self.lock['platform'] != platform:
                raise ModuleFailed('%s is a lock for platform %s; conda on this host installs %s packages'
                                   % (p['lock'], self.lock['platform'], platform))
        if p['pip_lock']:
            self.pip_lock = cl.parse_pip_lock(self.read_text(p['pip_lock']), p['pip_lock'])

    @staticmethod
    def read_text(path):
        try:
            with open(path, 'rb') as fh:
                return fh.read().decode('utf-8')
        except (IOError, OSError, UnicodeDecodeError) as exc:
            raise ModuleFailed('cannot read lock %s: %s' % (path, to_native(exc)))

    def apply_lock(self):
        """Put back what differs from the conda lock (the environment exists)."""
        exe = self.client.exe
        out = self.client.run(cl.explicit_cmd(exe, self.prefix), record=False)[1]
        installed = cl.parse_explicit(out, 'conda list --explicit', allow_empty=True)
        drift = cl.explicit_drift(self.lock, installed)
        if cl.no_drift(drift):
            return
        self.changed = True
        self.drift.extend(cl.drift_lines(drift))
        if self.check:
            locked = dict((pkg['name'], pkg) for pkg in self.lock['packages'])
            self.added.extend('%s==%s' % (n, locked[n]['version']) for n in drift['missing'])
            self.changed_packages.extend({'name': d['name'], 'before': d['installed'], 'after': d['locked']}
                                         for d in drift['changed'])
            versions = dict((pkg['name'], pkg['version']) for pkg in installed['packages'])
            self.removed.extend('%s==%s' % (n, versions[n]) for n in drift['extra'])
        if drift['missing'] or drift['changed']:
            self.client.change(cl.install_from_lock_cmd(exe, self.prefix, self.params['lock']))
        if drift['extra']:
            self.client.change(cl.remove_unlocked_cmd(exe, self.prefix, drift['extra']))

    def apply_pip_lock(self, packages=None):
        """Put back what differs from the pip lock; without one, only the conda lock's pip part
        (none) counts: packages installed with pip are removed. ``packages``: the environment's
        packages when they were just read and nothing changed since."""
        if self.lock is None and self.pip_lock is None:
            return
        locked = self.pip_lock or {}
        python = c.env_python(self.prefix)
        if not os.path.isdir(self.prefix):
            # check mode, environment still to be created
            if locked:
                self.client.plan(cl.pip_install_lock_cmd(python, self.params['pip_lock']))
                self.added.extend('%s==%s' % item for item in sorted(locked.items()))
            return
        packages = self.packages() if packages is None else packages
        pypi = [n for n, rec in packages.items() if rec.get('channel') == 'pypi']
        if not locked and not pypi:
            return
        drift = cl.pip_drift(locked, self.pip_installed(), pypi)
        if cl.no_drift(drift):
            return
        self.changed = True
        self.drift.extend(cl.drift_lines(drift, 'pip'))
        if drift['missing'] or drift['changed']:
            ran = self.client.change(cl.pip_install_lock_cmd(python, self.params['pip_lock']), check_rc=False)
            if ran is not None and ran[0] != 0:
                rc, out, err = ran
                raise ModuleFailed('pip could not install the pip lock %s into %s (the conda packages match '
                                   'their lock; pip checks every hash before it installs): %s'
                                   % (self.params['pip_lock'], self.prefix, (err or out).strip()[-2000:]), rc=rc)
        if drift['extra']:
            self.client.change(cl.pip_uninstall_cmd(python, drift['extra']))

    def remove(self):
        if self.env.get('is_base') or self.prefix == self.root:
            raise ModuleFailed('refusing to remove the base environment %s' % self.prefix)
        self.changed = True
        self.client.change(c.remove_cmd(self.client.exe, self.prefix))

    # -------------------------------------------------------------- result

    def packages_after(self):
        """The packages once the state is reached; nothing in check mode (the dry runs tell)."""
        if not self.check and os.path.isdir(self.prefix):
            return self.packages()
        return {}

    def result(self, before, after, diff=False):
        if not self.check:
            self.added, self.removed, self.changed_packages = c.diff_packages(before, after)
            self.changed = self.changed or bool(self.added or self.removed or self.changed_packages)
        name = self.params['name'] or (self.env or {}).get('name')
        envs_dirs = [os.path.normpath(d) for d in self.info.get('envs_dirs') or []]
        if name is None and os.path.dirname(self.prefix) in envs_dirs:
            name = os.path.basename(self.prefix)
        result = dict(
            changed=self.changed, prefix=self.prefix, name=name, conda_version=self.version,
            added=self.added, removed=self.removed, changed_packages=self.changed_packages,
            drift=self.drift, cmd=self.client.commands,
        )
        if diff:
            result['diff'] = {
                'before_header': '%s (packages)' % self.prefix,
                'after_header': '%s (packages)' % self.prefix,
                'before': '\n'.join(c.package_lines(before)) + ('\n' if before else ''),
                'after': self.after_text(before, after),
            }
        return result

    def after_text(self, before, after):
        if not self.check:
            return '\n'.join(c.package_lines(after)) + ('\n' if after else '')
        if self.params['state'] == 'absent':
            return ''
        lines = set(c.package_lines(before))
        lines -= set(self.removed)
        for change in self.changed_packages:
            lines.discard('%s==%s' % (change['name'], change['before']))
            lines.add('%s==%s' % (change['name'], change['after']))
        lines |= set(self.added)
        return '\n'.join(sorted(lines)) + ('\n' if lines else '')


# ------------------------------------------------------------------ states
# Each returns the packages (before, after): after is empty in check mode.

def state_present(env, latest=False):
    """The environment exists and satisfies packages, file and pip_packages."""
    if env.env is None:
        env.create()
        try:
            if not env.check:
                # what a file or a clone brought may not satisfy packages yet; nothing to update
                env.ensure_packages(env.packages())
            env.ensure_pip(upgrade=latest)
            env.apply_pip_lock()
        except (ModuleFailed, c.CondaError) as exc:
            # A new environment is complete or gone: no half-made prefix for the next run.
            if not env.check:
                env.cleanup(False)
                if isinstance(exc, ModuleFailed):
                    exc.msg += ' (the new environment %s is removed again)' % env.prefix
                else:
                    exc.message += ' (the new environment %s is removed again)' % env.prefix
            raise
        return {}, env.packages_after()
    before = env.packages()
    if env.lock:
        env.apply_lock()
        # a re-run with nothing to put back reads the package list once
        env.apply_pip_lock(before if env.check or not env.changed else None)
        return before, env.packages_after()
    if env.params['file']:
        env.apply_file()
    env.ensure_packages(before if env.check else env.packages(), latest=latest)
    env.ensure_pip(upgrade=latest)
    env.apply_pip_lock()
    return before, env.packages_after()


def state_latest(env):
    """As present, and the listed packages updated to the newest the channels offer."""
    return state_present(env, latest=True)


def state_absent(env):
    """The environment is gone (never the base environment)."""
    if env.env is None:
        return {}, {}
    before = env.packages()
    env.remove()
    return before, {}


STATES = {'present': state_present, 'latest': state_latest, 'absent': state_absent}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str'),
            prefix=dict(type='path'),
            state=dict(type='str', default='present', choices=['present', 'absent', 'latest']),
            packages=dict(type='list', elements='str', default=[]),
            channels=dict(type='list', elements='str', default=[]),
            override_channels=dict(type='bool', default=False),
            file=dict(type='path'),
            pip_packages=dict(type='list', elements='str', default=[]),
            clone=dict(type='str'),
            lock=dict(type='path'),
            pip_lock=dict(type='path'),
            executable=dict(type='path'),
        ),
        mutually_exclusive=[('name', 'prefix'), ('clone', 'file'), ('lock', 'file'), ('lock', 'clone')],
        required_one_of=[('name', 'prefix')],
        supports_check_mode=True,
    )
    p = module.params
    try:
        client = c.CondaClient(module.run_command, executable=p['executable'],
                               path_lookup=module.get_bin_path, check_mode=module.check_mode)
    except c.CondaError as exc:
        module.fail_json(msg=exc.message)
    try:
        for spec in p['packages']:
            c.MatchSpec(spec)
        for spec in p['pip_packages']:
            c.check_pip_spec(spec)
        if p['lock'] and p['packages']:
            raise ModuleFailed('lock and packages are mutually exclusive: a locked environment gets exactly '
                               'the packages of its lock (regenerate the lock to change them)')
        if p['pip_lock'] and p['pip_packages']:
            raise ModuleFailed('pip_lock and pip_packages are mutually exclusive: a pip lock says every pip package '
                               'and version')
        if p['lock'] and p['state'] == 'latest':
            raise ModuleFailed('state=latest does not apply to a locked environment: its lock says the versions')
        env = CondaEnv(module, client)
        if p['state'] != 'absent':
            env.read_locks()
        before, after = STATES[p['state']](env)
        result = env.result(before, after, diff=module._diff)
    except ModuleFailed as exc:
        module.fail_json(msg=exc.msg, cmd=client.commands, **exc.result)
    except cl.LockError as exc:
        module.fail_json(msg=to_native(exc), cmd=client.commands)
    except c.CondaError as exc:
        module.fail_json(msg=exc.message, cmd=client.commands, exception_name=exc.exception_name,
                         packages=exc.packages, channels=exc.channels)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
