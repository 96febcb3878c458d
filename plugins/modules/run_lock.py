#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

DOCUMENTATION = r'''
---
module: run_lock
short_description: Keep two runs against the same host from interleaving with a lock on the host
version_added: 0.1.0
description:
  - Takes (O(state=present)) or releases (O(state=absent)) a lock file on the managed host that names
    the run holding it. A second run that tries to take the lock while another run holds it waits up
    to O(wait) seconds and then fails with a message naming the other run, when it started and how to
    clear a lock nobody holds any more.
  - The lock is a small JSON file (C(run_id), C(holder), C(acquired)) created whole and atomically
    (written to a temporary file beside it, then hard-linked to its name, which fails if a lock is
    already there), mode 0600, in a directory only its owner can write (created with mode 0700 if it
    is missing). Neither the lock nor its directory is followed if it is a symlink; the module refuses.
  - Taking the lock again with the O(run_id) that holds it changes nothing, so several plays of one
    run can each take it.
  - Releasing removes the lock only if O(run_id) holds it. Another run's lock is left in place with a
    warning.
  - The default O(path) is in C(/run), a tmpfs on systemd hosts, so a reboot clears a lock an
    interrupted run left behind.
author:
  - TeamHub developers (@teamhub)
attributes:
  check_mode:
    details:
      - Reports whether the lock would be taken, taken over or released, and writes nothing (not even
        the lock's directory).
      - A lock another run holds still fails the task (after O(wait)), as it does outside check mode;
        a check run against a host in the middle of another run would report nonsense.
  diff_mode:
    details: Shows the lock file before and after.
options:
  path:
    description:
      - The lock file. Its directory must belong to the user the module runs as (root) and must not be
        writable by group or others; missing directories are created with mode 0700.
      - The file system must support hard links (tmpfs, ext4, xfs, btrfs do).
    type: path
    default: /run/teamhub/run.lock
  state:
    description:
      - V(present) takes the lock, V(absent) releases it.
    type: str
    choices: [present, absent]
    default: present
  run_id:
    description:
      - Identifies this run; the same value must be used to take and to release the lock.
      - Generate it once per run, for example a random string set with C(run_once) in the first play.
      - At most 128 characters, no control characters.
    type: str
    required: true
  holder:
    description:
      - Free text naming the run for the people who meet the lock, for example
        C(alice@laptop, started 2026-12-04T17:00:00Z). Shown in the message of a run that finds the lock.
      - Only used with O(state=present).
    type: str
    default: ''
  wait:
    description:
      - Seconds to wait for another run's lock to go away before failing. V(0) fails at once.
      - Only used with O(state=present).
    type: int
    default: 0
  stale_after:
    description:
      - Seconds after which another run's lock counts as abandoned (by the lock file's modification
        time); it is then taken over, with a warning naming the run that held it.
      - Only used with O(state=present).
    type: int
    default: 21600
  break_lock:
    description:
      - Take over another run's lock (or an unreadable one) whatever its age, with a warning naming it.
        For a lock that an interrupted run left behind; never while the other run is still going.
      - Only used with O(state=present).
    type: bool
    default: false
notes:
  - A lock file that is not valid JSON or names no C(run_id) counts as held by another run; the message
    says so and how to clear it.
  - Taking over and releasing hold an C(flock) of the lock's directory for the few milliseconds they
    take, so two runs cannot both take over the same lock or remove each other's.
  - A run that is interrupted (Ctrl-C, a lost connection) leaves its lock until the host reboots, until
    it is O(stale_after) seconds old, or until a run with O(break_lock=true) takes it over.
extends_documentation_fragment:
  - teamhub.jupyter.attributes
'''

EXAMPLES = r'''
- name: Name this run once, on the controller
  ansible.builtin.set_fact:
    site_run_id: "{{ lookup('ansible.builtin.password', '/dev/null', chars=['ascii_lowercase', 'digits'], length=20) }}"
  run_once: true

- name: Take the host's run lock, waiting up to 10 minutes for another run to end
  teamhub.jupyter.run_lock:
    run_id: "{{ site_run_id }}"
    holder: "{{ lookup('ansible.builtin.env', 'USER') }}, started {{ now(utc=true, fmt='%Y-%m-%dT%H:%M:%SZ') }}"
    wait: 600

- name: Release it at the end, whatever happened in between
  teamhub.jupyter.run_lock:
    run_id: "{{ site_run_id }}"
    state: absent

- name: Take over the lock an interrupted run left behind
  teamhub.jupyter.run_lock:
    run_id: "{{ site_run_id }}"
    break_lock: true
'''

RETURN = r'''
path:
  description: The lock file.
  returned: always
  type: str
  sample: /run/teamhub/run.lock
run_id:
  description:
    - The run that holds the lock after O(state=present) (this run), or that held it when O(state=absent)
      found it (this run's when it was released, another run's when it was left in place).
    - Empty when there is no lock, or when the lock file is unreadable.
    - When the task fails because another run holds the lock, that run's.
  returned: always
  type: str
  sample: 4k2m9x0q7s1d8f3h6j5l
holder:
  description: The O(holder) text of that run.
  returned: always
  type: str
  sample: alice@laptop, started 2026-12-04T17:00:00Z
acquired:
  description: When that run took the lock (UTC).
  returned: always
  type: str
  sample: "2026-12-04T17:00:03Z"
taken_over:
  description: Whether another run's lock was (or in check mode would be) taken over.
  returned: always
  type: bool
  sample: false
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.teamhub.jupyter.plugins.module_utils import run_lock as rl


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', default=rl.DEFAULT_PATH),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            run_id=dict(type='str', required=True),
            holder=dict(type='str', default=''),
            wait=dict(type='int', default=0),
            stale_after=dict(type='int', default=rl.DEFAULT_STALE_AFTER),
            break_lock=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path = params['path']
    try:
        if params['state'] == 'present':
            result = rl.acquire(path, params['run_id'], holder=params['holder'], wait=params['wait'],
                                stale_after=params['stale_after'], break_lock=params['break_lock'],
                                check_mode=module.check_mode)
        else:
            result = rl.release(path, params['run_id'], check_mode=module.check_mode)
    except rl.LockHeld as exc:
        module.fail_json(msg=str(exc), path=path, run_id=exc.lock['run_id'], holder=exc.lock['holder'],
                         acquired=exc.lock['acquired'], taken_over=False)
    except rl.RunLockError as exc:
        module.fail_json(msg=str(exc), path=path)
    except (IOError, OSError) as exc:
        module.fail_json(msg='could not %s the run lock %s: %s'
                         % ('take' if params['state'] == 'present' else 'release', path, exc))
    for warning in result.pop('warnings'):
        module.warn(warning)
    before, after = result.pop('before'), result.pop('after')
    if result['changed'] and module._diff:
        result['diff'] = {'before_header': path, 'after_header': path, 'before': before, 'after': after}
    module.exit_json(path=path, **result)


if __name__ == '__main__':
    main()
