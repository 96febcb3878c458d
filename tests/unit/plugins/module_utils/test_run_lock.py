# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import json
import os
import stat
import threading
import time

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import run_lock as rl

ALICE = 'alice@laptop, started 2026-12-04T17:00:00Z'
BOB = 'bob@desk, started 2026-12-04T17:05:00Z'


@pytest.fixture
def lock(tmp_path):
    """The lock's path, in a directory that does not exist yet."""
    return str(tmp_path / 'run' / 'teamhub' / 'run.lock')


def content(path):
    with open(path) as handle:
        return json.load(handle)


def plant(path, text, age=0):
    """Write a lock by hand (as another run, or a broken one), ``age`` seconds old."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, rl.DIR_MODE)
    with open(path, 'w') as handle:
        handle.write(text)
    if age:
        then = time.time() - age
        os.utime(path, (then, then))


def plant_other(path, run_id='other-run', holder=BOB, acquired='2026-12-04T17:05:00Z', age=0):
    plant(path, json.dumps({'run_id': run_id, 'holder': holder, 'acquired': acquired}), age)


def no_temporary_files(path):
    return [name for name in os.listdir(os.path.dirname(path)) if name != os.path.basename(path)] == []


# ---------------------------------------------------------------- acquire


def test_acquire_fresh_creates_the_lock_and_its_private_directory(lock):
    result = rl.acquire(lock, 'run-1', ALICE)
    assert result['changed'] is True and result['taken_over'] is False
    assert (result['run_id'], result['holder']) == ('run-1', ALICE)
    on_disk = content(lock)
    assert on_disk == {'run_id': 'run-1', 'holder': ALICE, 'acquired': result['acquired']}
    assert time.strptime(result['acquired'], '%Y-%m-%dT%H:%M:%SZ')
    assert stat.S_IMODE(os.stat(lock).st_mode) == 0o600
    for directory in (os.path.dirname(lock), os.path.dirname(os.path.dirname(lock))):
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert os.stat(os.path.dirname(lock)).st_uid == os.geteuid()
    assert result['before'] == '' and json.loads(result['after']) == on_disk
    assert no_temporary_files(lock)


def test_acquire_again_by_the_same_run_changes_nothing(lock):
    first = rl.acquire(lock, 'run-1', ALICE)
    before = os.stat(lock)
    again = rl.acquire(lock, 'run-1', 'another text of the same run')
    assert again['changed'] is False and again['taken_over'] is False
    assert (again['run_id'], again['holder'], again['acquired']) == ('run-1', ALICE, first['acquired'])
    assert os.stat(lock).st_mtime == before.st_mtime and content(lock)['holder'] == ALICE


def test_acquire_held_by_another_run_fails_naming_it(lock):
    plant_other(lock)
    with pytest.raises(rl.LockHeld) as err:
        rl.acquire(lock, 'run-1', ALICE)
    message = str(err.value)
    assert message.startswith('Another TeamHub run holds the lock on this host since 2026-12-04T17:05:00Z '
                              '(%s): two runs at once would interleave. Wait for it to end.' % BOB)
    assert 'until it is 6 h old' in message
    assert '-e teamhub_lock_break=true' in message and 'or remove %s.' % lock in message
    assert err.value.lock['run_id'] == 'other-run'
    assert content(lock)['run_id'] == 'other-run'
    assert no_temporary_files(lock)


def test_acquire_held_by_another_run_without_holder_names_its_run_id(lock):
    plant(lock, json.dumps({'run_id': 'other-run'}))
    with pytest.raises(rl.LockHeld) as err:
        rl.acquire(lock, 'run-1', ALICE)
    assert '(holder unknown, run other-run)' in str(err.value)
    # Without an acquired time the message gives the file's time.
    assert 'since %s' % rl.format_time(os.stat(lock).st_mtime) in str(err.value)


def test_acquire_waits_up_to_wait_then_fails(lock):
    plant_other(lock)
    sleeps = []
    clock = [1000.0]

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    with pytest.raises(rl.LockHeld) as err:
        rl.acquire(lock, 'run-1', ALICE, wait=5, poll=2, clock=lambda: clock[0], sleep=sleep)
    assert sleeps == [2, 2, 1]
    assert 'Wait for it to end (this run waited 5 s).' in str(err.value)


def test_acquire_waits_until_the_other_run_releases(lock):
    plant_other(lock)
    releaser = threading.Timer(0.3, rl.release, args=(lock, 'other-run'))
    releaser.start()
    try:
        started = time.monotonic()
        result = rl.acquire(lock, 'run-1', ALICE, wait=30, poll=0.05)
        elapsed = time.monotonic() - started
    finally:
        releaser.join()
    assert result['changed'] is True and result['taken_over'] is False and result['warnings'] == []
    assert content(lock)['run_id'] == 'run-1'
    assert 0.2 < elapsed < 10


def test_a_stale_lock_is_taken_over_with_a_warning(lock):
    plant_other(lock, age=7 * 3600)
    result = rl.acquire(lock, 'run-1', ALICE)
    assert result['changed'] is True and result['taken_over'] is True
    assert content(lock)['run_id'] == 'run-1'
    assert len(result['warnings']) == 1
    warning = result['warnings'][0]
    assert warning.startswith('took over the lock %s of run other-run (%s, since 2026-12-04T17:05:00Z)' % (lock, BOB))
    assert 'older than stale_after (6 h), so taken as abandoned' in warning
    assert json.loads(result['before'])['run_id'] == 'other-run'
    assert no_temporary_files(lock)


def test_a_lock_younger_than_stale_after_is_not_taken_over(lock):
    plant_other(lock, age=50)
    with pytest.raises(rl.LockHeld) as err:
        rl.acquire(lock, 'run-1', ALICE, stale_after=60)
    assert 'until it is 1 min old' in str(err.value)
    assert rl.acquire(lock, 'run-1', ALICE, stale_after=40)['taken_over'] is True


def test_break_lock_takes_over_a_fresh_lock_with_a_warning(lock):
    plant_other(lock)
    result = rl.acquire(lock, 'run-1', ALICE, break_lock=True)
    assert result['changed'] is True and result['taken_over'] is True
    assert result['warnings'] == ['took over the lock %s of run other-run (%s, since 2026-12-04T17:05:00Z): '
                                  'break_lock is set' % (lock, BOB)]
    assert content(lock) == {'run_id': 'run-1', 'holder': ALICE, 'acquired': result['acquired']}
    assert stat.S_IMODE(os.stat(lock).st_mode) == 0o600


def test_break_lock_with_our_own_lock_changes_nothing(lock):
    rl.acquire(lock, 'run-1', ALICE)
    result = rl.acquire(lock, 'run-1', ALICE, break_lock=True)
    assert result['changed'] is False and result['taken_over'] is False and result['warnings'] == []


@pytest.mark.parametrize('text, reason', [
    ('', 'empty'),
    ('{"run_id": "half', 'not JSON'),
    ('["run-1"]', 'not a JSON object'),
    ('{"holder": "x"}', 'no run_id'),
])
def test_a_malformed_lock_counts_as_held(lock, text, reason):
    plant(lock, text)
    with pytest.raises(rl.LockHeld) as err:
        rl.acquire(lock, 'run-1', ALICE)
    message = str(err.value)
    assert message.startswith('Another TeamHub run may hold the lock on this host: the lock %s is unreadable (%s, '
                              'written ' % (lock, reason))
    assert '-e teamhub_lock_break=true' in message and 'or remove %s.' % lock in message
    with open(lock) as handle:
        assert handle.read() == text
    result = rl.acquire(lock, 'run-1', ALICE, break_lock=True)
    assert result['taken_over'] is True and 'of an unreadable lock (%s' % reason in result['warnings'][0]
    assert content(lock)['run_id'] == 'run-1'


def test_a_malformed_lock_ages_by_its_file_time(lock):
    plant(lock, 'garbage', age=7 * 3600)
    assert rl.acquire(lock, 'run-1', ALICE)['taken_over'] is True


def test_a_symlink_in_place_of_the_lock_is_refused(lock, tmp_path):
    target = tmp_path / 'elsewhere'
    target.write_text('{"run_id": "run-1"}')
    os.makedirs(os.path.dirname(lock), rl.DIR_MODE)
    os.symlink(str(target), lock)
    for call in (lambda: rl.acquire(lock, 'run-1', ALICE), lambda: rl.acquire(lock, 'run-1', ALICE, break_lock=True),
                 lambda: rl.release(lock, 'run-1'), lambda: rl.acquire(lock, 'run-1', ALICE, check_mode=True)):
        with pytest.raises(rl.RunLockError) as err:
            call()
        assert not isinstance(err.value, rl.LockHeld)
        assert str(err.value).startswith('the lock %s is a symlink; refusing to follow it' % lock)
    assert os.path.islink(lock) and target.read_text() == '{"run_id": "run-1"}'


def test_a_symlink_in_place_of_the_directory_is_refused(tmp_path):
    real = tmp_path / 'real'
    real.mkdir(mode=0o700)
    os.symlink(str(real), str(tmp_path / 'link'))
    lock = str(tmp_path / 'link' / 'run.lock')
    for call in (lambda: rl.acquire(lock, 'run-1', ALICE), lambda: rl.release(lock, 'run-1'),
                 lambda: rl.acquire(lock, 'run-1', ALICE, check_mode=True)):
        with pytest.raises(rl.RunLockError) as err:
            call()
        assert 'the lock directory %s is a symlink; refusing to follow it' % (tmp_path / 'link') in str(err.value)
    assert os.listdir(str(real)) == []


def test_a_directory_others_can_write_is_refused(tmp_path):
    shared = tmp_path / 'shared'
    shared.mkdir()
    os.chmod(str(shared), 0o1777)
    with pytest.raises(rl.RunLockError) as err:
        rl.acquire(str(shared / 'run.lock'), 'run-1', ALICE)
    assert 'is writable by group or others (mode 1777)' in str(err.value)
    assert os.listdir(str(shared)) == []


def test_something_else_in_place_of_the_lock_is_refused(lock):
    os.makedirs(lock, rl.DIR_MODE)
    with pytest.raises(rl.RunLockError) as err:
        rl.acquire(lock, 'run-1', ALICE)
    assert str(err.value) == 'the lock %s is not a regular file; remove it' % lock


@pytest.mark.parametrize('kwargs, words', [
    ({'path': 'run.lock'}, 'path must be an absolute path'),
    ({'path': '/run/teamhub/'}, 'path must name a file'),
    ({'run_id': ''}, 'run_id must not be empty'),
    ({'run_id': ' '}, 'run_id must not be empty'),
    ({'run_id': 'a\nb'}, 'run_id must not contain control characters'),
    ({'run_id': 'x' * 129}, 'run_id must be at most 128 characters, got 129'),
    ({'wait': -1}, 'wait must be 0 or more seconds, got -1'),
    ({'stale_after': 0}, 'stale_after must be a positive number of seconds, got 0'),
])
def test_bad_arguments_say_what_is_wrong(lock, kwargs, words):
    args = dict(path=lock, run_id='run-1', holder=ALICE)
    args.update(kwargs)
    with pytest.raises(rl.RunLockError) as err:
        rl.acquire(**args)
    assert words in str(err.value)
    assert not os.path.exists(os.path.dirname(lock))


# ---------------------------------------------------------------- release


def test_release_own_lock_removes_it(lock):
    rl.acquire(lock, 'run-1', ALICE)
    result = rl.release(lock, 'run-1')
    assert result['changed'] is True and result['warnings'] == []
    assert (result['run_id'], result['holder']) == ('run-1', ALICE)
    assert result['after'] == '' and json.loads(result['before'])['run_id'] == 'run-1'
    assert not os.path.lexists(lock)
    assert os.path.isdir(os.path.dirname(lock))
    assert rl.acquire(lock, 'run-2', BOB)['changed'] is True


def test_release_leaves_another_runs_lock_with_a_warning(lock):
    plant_other(lock)
    result = rl.release(lock, 'run-1')
    assert result['changed'] is False
    assert result['run_id'] == 'other-run' and result['holder'] == BOB
    assert result['warnings'] == ["left the lock %s of run other-run (%s, since 2026-12-04T17:05:00Z) in place: it is "
                                  "not this run's (run-1), and a run never removes another run's lock" % (lock, BOB)]
    assert content(lock)['run_id'] == 'other-run'


def test_release_leaves_a_malformed_lock_with_a_warning(lock):
    plant(lock, 'garbage')
    result = rl.release(lock, 'run-1')
    assert result['changed'] is False and 'left the lock %s of an unreadable lock (not JSON' % lock in result['warnings'][0]
    assert os.path.exists(lock)


def test_release_without_a_lock_changes_nothing(lock, tmp_path):
    result = rl.release(lock, 'run-1')
    assert result['changed'] is False and result['warnings'] == [] and result['run_id'] == ''
    assert not os.path.exists(str(tmp_path / 'run'))
    os.makedirs(os.path.dirname(lock), rl.DIR_MODE)
    assert rl.release(lock, 'run-1')['changed'] is False


# ---------------------------------------------------------------- check mode


def test_check_mode_acquire_writes_nothing(lock, tmp_path):
    result = rl.acquire(lock, 'run-1', ALICE, check_mode=True)
    assert result['changed'] is True and result['run_id'] == 'run-1' and json.loads(result['after'])['holder'] == ALICE
    assert not os.path.exists(str(tmp_path / 'run'))


def test_check_mode_acquire_still_fails_on_another_runs_lock(lock):
    plant_other(lock)
    with pytest.raises(rl.LockHeld) as err:
        rl.acquire(lock, 'run-1', ALICE, check_mode=True)
    assert str(err.value).startswith('Another TeamHub run holds the lock on this host since 2026-12-04T17:05:00Z')


def test_check_mode_reports_a_take_over_without_doing_it(lock):
    plant_other(lock)
    before = os.stat(lock)
    result = rl.acquire(lock, 'run-1', ALICE, break_lock=True, check_mode=True)
    assert result['changed'] is True and result['taken_over'] is True
    assert result['warnings'][0].startswith('check mode: would take over the lock %s of run other-run' % lock)
    assert content(lock)['run_id'] == 'other-run' and os.stat(lock).st_mtime == before.st_mtime


def test_check_mode_own_lock_and_release(lock):
    rl.acquire(lock, 'run-1', ALICE)
    assert rl.acquire(lock, 'run-1', ALICE, check_mode=True)['changed'] is False
    result = rl.release(lock, 'run-1', check_mode=True)
    assert result['changed'] is True and os.path.exists(lock)
    assert rl.release(lock, 'run-2', check_mode=True)['changed'] is False
    assert os.path.exists(lock)


# ---------------------------------------------------------------- two runs at once


def race(lock, field, runs=8):
    """runs threads call acquire at the same instant; {run_id: result[field] or 'held'}."""
    outcomes = {}
    start = threading.Barrier(runs)

    def run(run_id):
        start.wait()
        try:
            outcomes[run_id] = rl.acquire(lock, run_id, run_id)[field]
        except rl.LockHeld:
            outcomes[run_id] = 'held'

    threads = [threading.Thread(target=run, args=('run-%d' % number,)) for number in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_only_one_of_many_concurrent_runs_gets_the_lock(lock):
    outcomes = race(lock, 'changed')
    winners = [run_id for run_id, outcome in outcomes.items() if outcome is True]
    assert len(winners) == 1 and sorted(outcomes.values(), key=str).count('held') == 7
    assert content(lock)['run_id'] == winners[0]
    assert no_temporary_files(lock)


def test_only_one_of_many_concurrent_take_overs_wins(lock):
    plant_other(lock, age=7 * 3600)
    outcomes = race(lock, 'taken_over')
    winners = [run_id for run_id, outcome in outcomes.items() if outcome is True]
    assert len(winners) == 1, outcomes
    assert content(lock)['run_id'] == winners[0]
