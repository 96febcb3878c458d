# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The team list's filters: teamhub.jupyter.team_problems, the one check of the list's
values, the readers team_present, team_absent, team_admins and team_groups, which
fail with its messages on a bad list, and team_uids and team_uid_problems, the UIDs of new accounts,
and team_gids, the GIDs of new groups. The logic is plugins/module_utils/team.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

from functools import wraps

from ansible.errors import AnsibleFilterError

from ansible_collections.teamhub.jupyter.plugins.module_utils import team


def _failing_as_a_filter(reader):
    """The reader, with a bad list failing the template with the problems found."""
    @wraps(reader)
    def read(members, source=team.DEFAULT_SOURCE):
        try:
            return reader(members, source)
        except team.TeamError as error:
            raise AnsibleFilterError(str(error))
    return read


def team_uids(members, hosts, host, uid_min=1000, uid_max=59999, source=team.DEFAULT_SOURCE):
    """team.uids_for, failing the template with its messages."""
    try:
        return team.uids_for(members, hosts, host, int(uid_min), int(uid_max), source)
    except team.TeamError as error:
        raise AnsibleFilterError(str(error))


def team_uid_problems(members, hosts, host, uid_min=1000, uid_max=59999, source=team.DEFAULT_SOURCE):
    """team.uid_problems, the range given as Ansible variables (strings or numbers)."""
    return team.uid_problems(members, hosts, host, int(uid_min), int(uid_max), source)


def team_gids(names, hosts, host, gid_min=1000, gid_max=59999):
    """team.gids_for, the range given as Ansible variables (strings or numbers), failing
    the template with its messages."""
    try:
        return team.gids_for(list(names), hosts, host, int(gid_min), int(gid_max))
    except team.TeamError as error:
        raise AnsibleFilterError(str(error))


def team_gid_problems(names, hosts, host, gid_min=1000, gid_max=59999):
    """team.gid_problems, the range given as Ansible variables (strings or numbers)."""
    return team.gid_problems(list(names), hosts, host, int(gid_min), int(gid_max))


class FilterModule(object):
    """The team list's filters."""

    def filters(self):
        return {
            'team_problems': team.problems,
            'team_present': _failing_as_a_filter(team.present),
            'team_absent': _failing_as_a_filter(team.absent),
            'team_admins': _failing_as_a_filter(team.admins),
            'team_groups': _failing_as_a_filter(team.groups),
            'team_uids': team_uids,
            'team_uid_problems': team_uid_problems,
            'team_gids': team_gids,
            'team_gid_problems': team_gid_problems,
        }
