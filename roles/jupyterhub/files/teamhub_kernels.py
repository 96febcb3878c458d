# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A member's own conda environments in their own launcher (role teamhub.jupyter.jupyterhub).

A member makes an environment in a terminal (`conda create -n mine python ipykernel`); it
lands in ~/.conda/envs/mine and conda lists it in ~/.conda/environments.txt. Their user
server (run as their own Unix user) then offers it as a kernel, "Your environment: mine",
with no admin step and for them alone: MemberKernelSpecManager lists the environments in
the home of the account that runs the server, every time the launcher asks.

- An environment counts when it has conda-meta/, bin/python and ipykernel (in
  lib/python3*/site-packages). Those in ~/.conda/envs all count; those listed in
  environments.txt only when they really (after symlinks) are inside the home: the
  team's environments (/opt/conda/envs) are the admin's to register.
- Its kernel is named mine-<name> (made a valid kernel name, and unique). The team's
  kernels (the kernelspecs the admin registered) keep their names and specs: a member's
  environment never replaces one, it gets another name.
- Anything broken or unreadable in the member's conda files is skipped without a word:
  their mess never breaks their server.

Selected in jupyter_server_config.py:
    c.ServerApp.kernel_spec_manager_class = "teamhub_kernels.MemberKernelSpecManager"
Switched off with c.MemberKernelSpecManager.member_environments = False.
"""

import collections
import json
import os
import re

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from traitlets import Bool, Unicode

# JupyterLab's launcher puts the default kernel first and sorts all the others by their
# label, which is the display name (launcher sortCmp: a.label.localeCompare(b.label)).
# "Your ..." sorts after team kernels named from A to X ("Python 3 (dev default)",
# "R 4.3 (stats)", "Julia 1.10"), and a member's environments sort by their names.
DEFAULT_DISPLAY_NAME = "Your environment: {name}"
KERNEL_NAME_PREFIX = "mine-"
# environments.txt is read up to this size (conda writes one line per environment).
MAX_ENVIRONMENTS_TXT = 1024 * 1024

MemberEnvironment = collections.namedtuple("MemberEnvironment", ["name", "prefix", "python"])

UNSAFE_IN_KERNEL_NAME = re.compile(r"[^a-z0-9._-]+")
# jupyter_client fills {connection_file}, {resource_dir}, {prefix}... into a kernel's argv.
FORMAT_FIELD = re.compile(r"\{[A-Za-z0-9_]*\}")


def is_inside(path, root):
    """Whether path (already a real path) is root or inside it."""
    root = root.rstrip(os.sep) + os.sep
    return path == root.rstrip(os.sep) or path.startswith(root)


def environment_python(prefix):
    """The python of the conda environment at prefix if it can run a kernel, else None."""
    try:
        if not os.path.isdir(os.path.join(prefix, "conda-meta")):
            return None
        python = os.path.join(prefix, "bin", "python")
        if not (os.path.isfile(python) and os.access(python, os.X_OK)):
            return None
        lib = os.path.join(prefix, "lib")
        for entry in sorted(os.listdir(lib)):
            if entry.startswith("python3") and os.path.isdir(os.path.join(lib, entry, "site-packages", "ipykernel")):
                return python
    except (OSError, ValueError):
        pass
    return None


def candidate_prefixes(home):
    """(prefix, must be inside home) for ~/.conda/envs/* then environments.txt's lines."""
    envs_dir = os.path.join(home, ".conda", "envs")
    try:
        entries = sorted(os.listdir(envs_dir))
    except (OSError, ValueError):
        entries = []
    for entry in entries:
        yield os.path.join(envs_dir, entry), False
    try:
        with open(os.path.join(home, ".conda", "environments.txt"), encoding="utf-8", errors="replace") as handle:
            text = handle.read(MAX_ENVIRONMENTS_TXT)
    except (OSError, ValueError):
        text = ""
    for line in text.splitlines():
        line = line.strip()
        if line and os.path.isabs(line):
            yield os.path.normpath(line), True


def find_member_environments(home=None):
    """The member's own conda environments that can run a kernel, by name then prefix.

    home defaults to the home of whoever runs this ($HOME): the member, in their server.
    """
    if home is None:
        home = os.path.expanduser("~")
    try:
        real_home = os.path.realpath(home)
    except (OSError, ValueError):
        return []
    seen = set()
    found = []
    for prefix, must_be_inside in candidate_prefixes(home):
        try:
            prefix.encode("utf-8")  # a name that cannot be shown is not offered
            real_prefix = os.path.realpath(prefix)
        except (OSError, ValueError):
            continue
        if real_prefix in seen or (must_be_inside and not is_inside(real_prefix, real_home)):
            continue
        if FORMAT_FIELD.search(prefix):
            continue  # jupyter_client would fill it in the kernel's command
        python = environment_python(prefix)
        if python is None:
            continue
        seen.add(real_prefix)
        found.append(MemberEnvironment(os.path.basename(prefix) or prefix, prefix, python))
    found.sort(key=lambda env: (env.name, env.prefix))
    return found


def kernel_name_for(name):
    """mine-<name> made a valid kernel name: lower case, only a-z 0-9 . _ -."""
    safe = UNSAFE_IN_KERNEL_NAME.sub("-", name.lower()).strip("-") or "env"
    return KERNEL_NAME_PREFIX + safe


def assign_kernel_names(environments, taken=()):
    """{kernel name: environment}, each name unique and none of those in taken."""
    taken = {name.lower() for name in taken}
    named = {}
    for env in environments:
        base = kernel_name_for(env.name)
        kernel_name = base
        number = 2
        while kernel_name in taken or kernel_name in named:
            kernel_name = f"{base}-{number}"
            number += 1
        named[kernel_name] = env
    return named


def environment_resource_dir(prefix):
    """Where the environment's ipykernel put its kernelspec and logos, else the prefix."""
    kernel_dir = os.path.join(prefix, "share", "jupyter", "kernels", "python3")
    return kernel_dir if os.path.isdir(kernel_dir) else prefix


def environment_kernel_metadata(resource_dir):
    """The debugger flag of the environment's own python3 kernelspec, if it has one."""
    try:
        with open(os.path.join(resource_dir, "kernel.json"), encoding="utf-8") as handle:
            metadata = json.load(handle).get("metadata", {})
        if metadata.get("debugger") is True:
            return {"debugger": True}
    except (OSError, ValueError, AttributeError):
        pass
    return {}


class MemberKernelSpecManager(KernelSpecManager):
    """The team's kernels, then the member's own conda environments (see the module's doc)."""

    member_environments = Bool(
        True, config=True,
        help="Offer the member's own conda environments (in their home, with ipykernel) as kernels.")
    member_display_name = Unicode(
        DEFAULT_DISPLAY_NAME, config=True,
        help="The display name of a member's environment; {name} is its name, {prefix} its path."
             " JupyterLab's launcher sorts kernels other than the default one by this name.")

    def member_kernels(self, system_specs=None):
        """{kernel name: MemberEnvironment}; names never those of system_specs (the team's)."""
        if not self.member_environments:
            return {}
        if system_specs is None:
            system_specs = super().find_kernel_specs()
        try:
            kernels = assign_kernel_names(find_member_environments(), taken=system_specs)
        except Exception:  # pylint: disable=broad-exception-caught  # never break the server
            self.log.debug("Could not list the member's conda environments", exc_info=True)
            return {}
        if self.allowed_kernelspecs:
            kernels = {name: env for name, env in kernels.items() if name in self.allowed_kernelspecs}
        return kernels

    def member_display(self, env):
        """The environment's display name (member_display_name; the default if that fails)."""
        try:
            return self.member_display_name.format(name=env.name, prefix=env.prefix)
        except (AttributeError, IndexError, KeyError, ValueError):
            return DEFAULT_DISPLAY_NAME.format(name=env.name)

    def member_kernel_spec(self, env):
        """The KernelSpec that runs ipykernel with the environment's own python."""
        resource_dir = environment_resource_dir(env.prefix)
        metadata = environment_kernel_metadata(resource_dir)
        metadata["teamhub"] = {"own_environment": env.prefix}
        # As `conda activate` would: the environment's programs first (!pip, !conda in a
        # notebook). jupyter_client fills ${PATH}; a $ in the prefix is not a variable.
        bin_dir = os.path.join(env.prefix, "bin").replace("$", "$$")
        return self.kernel_spec_class(
            argv=[env.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=self.member_display(env),
            language="python",
            metadata=metadata,
            env={"PATH": bin_dir + os.pathsep + "${PATH}",
                 "CONDA_PREFIX": env.prefix.replace("$", "$$"),
                 "CONDA_DEFAULT_ENV": env.name.replace("$", "$$")},
            resource_dir=resource_dir,
        )

    def find_kernel_specs(self):
        specs = super().find_kernel_specs()
        for kernel_name, env in self.member_kernels(specs).items():
            specs[kernel_name] = environment_resource_dir(env.prefix)
        return specs

    def get_kernel_spec(self, kernel_name):
        env = self.member_kernels().get(kernel_name.lower())
        if env is not None:
            return self.member_kernel_spec(env)
        return super().get_kernel_spec(kernel_name)

    def get_all_specs(self):
        # The team's as KernelSpecManager gives them; the environments listed only once.
        system_specs = super().find_kernel_specs()
        result = {}
        for kernel_name, resource_dir in system_specs.items():
            try:
                spec = super().get_kernel_spec(kernel_name)
                result[kernel_name] = {"resource_dir": resource_dir, "spec": spec.to_dict()}
            except NoSuchKernel:
                pass
            except Exception:  # pylint: disable=broad-exception-caught  # as KernelSpecManager does
                self.log.warning("Error loading kernelspec %r", kernel_name, exc_info=True)
        for kernel_name, env in self.member_kernels(system_specs).items():
            spec = self.member_kernel_spec(env)
            result[kernel_name] = {"resource_dir": spec.resource_dir, "spec": spec.to_dict()}
        return result

    def remove_kernel_spec(self, name):
        # A member's environment is theirs to remove with conda, never its directory here.
        saved = self.member_environments
        try:
            self.member_environments = False
            return super().remove_kernel_spec(name)
        finally:
            self.member_environments = saved
