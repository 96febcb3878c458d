# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import shutil
import subprocess
import time

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import env_release as er


def make_env(path, marker='x'):
    os.makedirs(os.path.join(path, 'conda-meta'))
    os.makedirs(os.path.join(path, 'bin'))
    with open(os.path.join(path, 'bin', 'marker'), 'w') as fh:
        fh.write(marker)
    return path


@pytest.fixture
def envs(tmp_path):
    top = tmp_path / 'envs'
    top.mkdir()
    return str(top)


def link_of(envs, name='dev'):
    return os.path.join(envs, name)


def releases(envs):
    return os.path.join(envs, '.releases')


def aged(path, seconds_ago):
    stamp = time.time() - seconds_ago
    os.utime(path, (stamp, stamp))


@pytest.mark.parametrize('release', ['dev-0123456789', 'dev-abcdef', 'dev-' + 'f' * 64])
def test_a_release_is_named_after_its_environment(envs, release):
    assert er.release_id(link_of(envs), release) == release[4:]


@pytest.mark.parametrize('release', ['dev', 'dev-', 'dev-12345', 'dev-ABCDEF0123', 'other-0123456789',
                                     'dev-default-0123456789', '../dev-0123456789', 'dev-0123456789/x'])
def test_other_names_are_refused_naming_the_rule(envs, release):
    with pytest.raises(er.EnvReleaseError, match='is not a release of dev: a release is named dev-ID'):
        er.release_id(link_of(envs), release)


def test_releases_of_an_environment_leave_other_names_and_links_out(envs):
    rel = releases(envs)
    for name in ('dev-0123456789', 'dev-abcdefabcd', 'dev-default-0123456789', 'devx-0123456789', 'dev-zz0123456789'):
        make_env(os.path.join(rel, name))
    os.symlink(os.path.join(rel, 'dev-0123456789'), os.path.join(rel, 'dev-fedcba9876'))
    assert er.releases_of(link_of(envs), rel) == ['dev-0123456789', 'dev-abcdefabcd']
    assert er.releases_of(link_of(envs), os.path.join(envs, 'missing')) == []


def test_adopt_moves_an_environment_made_in_place_and_leaves_a_link(envs):
    link = make_env(link_of(envs), 'legacy')
    assert er.adopt(link, releases(envs), 'dev-0123456789', check=True) is True
    assert os.path.isdir(link) and not os.path.islink(link) and not os.path.exists(releases(envs))
    assert er.adopt(link, releases(envs), 'dev-0123456789') is True
    target = os.path.join(releases(envs), 'dev-0123456789')
    assert os.readlink(link) == target
    # Paths written inside the environment name the link: they reach the same files.
    with open(os.path.join(link, 'bin', 'marker')) as fh:
        assert fh.read() == 'legacy'
    assert er.adopt(link, releases(envs), 'dev-0123456789') is False


def test_adopt_does_not_overwrite_a_release(envs):
    make_env(link_of(envs))
    make_env(os.path.join(releases(envs), 'dev-0123456789'))
    with pytest.raises(er.EnvReleaseError, match='dev-0123456789 exists'):
        er.adopt(link_of(envs), releases(envs), 'dev-0123456789')
    assert not os.path.islink(link_of(envs))


def test_adopt_of_a_missing_environment_does_nothing(envs):
    assert er.adopt(link_of(envs), releases(envs), 'dev-0123456789') is False
    assert not os.path.lexists(link_of(envs))


def test_switch_points_the_name_at_a_built_release_in_one_rename(envs):
    link = link_of(envs)
    old = make_env(os.path.join(releases(envs), 'dev-0123456789'), 'old')
    new = make_env(os.path.join(releases(envs), 'dev-abcdefabcd'), 'new')
    assert er.switch(link, releases(envs), 'dev-0123456789') == (None, True)
    assert er.switch(link, releases(envs), 'dev-abcdefabcd', check=True) == (old, True)
    assert os.readlink(link) == old
    assert er.switch(link, releases(envs), 'dev-abcdefabcd') == (old, True)
    assert os.readlink(link) == new and not os.path.lexists(link + er.PENDING)
    assert er.switch(link, releases(envs), 'dev-abcdefabcd') == (new, False)


def test_switch_refuses_a_release_that_is_not_built(envs):
    os.makedirs(os.path.join(releases(envs), 'dev-0123456789'))
    with pytest.raises(er.EnvReleaseError, match='has no conda-meta directory'):
        er.switch(link_of(envs), releases(envs), 'dev-0123456789')
    with pytest.raises(er.EnvReleaseError, match='has no conda-meta directory'):
        er.switch(link_of(envs), releases(envs), 'dev-0123456789', check=True)
    # In check mode, a release an earlier task would build is a switch to report.
    assert er.switch(link_of(envs), releases(envs), 'dev-abcdefabcd', check=True) == (None, True)
    assert not os.path.lexists(link_of(envs))


def test_switch_refuses_an_environment_made_in_place(envs):
    make_env(link_of(envs))
    make_env(os.path.join(releases(envs), 'dev-0123456789'))
    with pytest.raises(er.EnvReleaseError, match='made in place, not a link: adopt it first'):
        er.switch(link_of(envs), releases(envs), 'dev-0123456789')


def test_a_file_at_the_name_is_left_alone(envs):
    with open(link_of(envs), 'w') as fh:
        fh.write('not an environment')
    with pytest.raises(er.EnvReleaseError, match='neither a symbolic link nor a directory'):
        er.current(link_of(envs))


def test_prune_keeps_the_newest_the_pointed_and_those_in_use(envs):
    rel = releases(envs)
    names = ['dev-000000000%d' % i for i in range(5)]
    for age, name in enumerate(names):
        aged(make_env(os.path.join(rel, name)), 100 * (5 - age))
    # dev-0000000004 is the newest, dev-0000000000 the oldest; the name points at an old one.
    er.replace_link(link_of(envs), os.path.join(rel, names[1]))
    removed, busy = er.prune(link_of(envs), rel, 2, {names[0]: [42]}, check=True)
    assert (sorted(removed), busy) == ([names[2], names[3]], [names[0]])
    assert len(er.releases_of(link_of(envs), rel)) == 5
    removed, busy = er.prune(link_of(envs), rel, 2, {names[0]: [42]})
    assert sorted(er.releases_of(link_of(envs), rel)) == [names[0], names[1], names[4]]
    assert er.prune(link_of(envs), rel, 2, {}) == ([names[0]], [])
    with pytest.raises(er.EnvReleaseError, match='keep must be 1 or more'):
        er.prune(link_of(envs), rel, 0, {})


def test_prune_counts_a_release_about_to_be_switched_to(envs):
    rel = releases(envs)
    for age, name in enumerate(['dev-0000000001', 'dev-0000000002']):
        aged(make_env(os.path.join(rel, name)), 100 * (2 - age))
    # Check mode before the release dev-0000000003 is built: it counts as one of the two.
    assert er.prune(link_of(envs), rel, 2, {}, pointed='dev-0000000003', check=True) == (['dev-0000000001'], [])


def test_a_running_program_marks_its_release_in_use(envs):
    rel = releases(envs)
    release = make_env(os.path.join(rel, 'dev-0123456789'))
    make_env(os.path.join(rel, 'dev-abcdefabcd'))
    make_env(os.path.join(rel, 'dev-0000000000'))
    shutil.copy('/bin/sleep', os.path.join(release, 'bin', 'sleep'))
    er.replace_link(link_of(envs), release)
    # A program started through the environment's name: found by its program, which
    # resolves to the release.
    by_name = subprocess.Popen([os.path.join(link_of(envs), 'bin', 'sleep'), '60'])
    # A shell naming a file of another release on its command line.
    by_word = subprocess.Popen(['sh', '-c', 'sleep 60; :', os.path.join(rel, 'dev-abcdefabcd', 'bin', 'marker')])
    # A program whose file is a link out of the release (a venv's bin/python), started
    # through a name that leads to the release: found by its command line.
    other = os.path.join(envs, 'other')
    os.symlink(os.path.join(rel, 'dev-0000000000'), other)
    os.symlink('/bin/sleep', os.path.join(rel, 'dev-0000000000', 'bin', 'sleep'))
    linked_out = subprocess.Popen([os.path.join(other, 'bin', 'sleep'), '60'])
    expected = {'dev-0123456789': [by_name.pid], 'dev-abcdefabcd': [by_word.pid], 'dev-0000000000': [linked_out.pid]}
    try:
        # Until each child has replaced the test's program with its own (exec).
        deadline = time.time() + 30
        used = er.processes_using(rel)
        while time.time() < deadline and used != expected:
            time.sleep(0.1)
            used = er.processes_using(rel)
    finally:
        for proc in (by_name, by_word, linked_out):
            proc.kill()
            proc.wait()
    assert used == expected
    assert er.processes_using(os.path.join(envs, 'missing')) == {}


def test_remove_takes_the_name_and_every_release_nothing_uses(envs):
    rel = releases(envs)
    for name in ('dev-0000000001', 'dev-0000000002'):
        make_env(os.path.join(rel, name))
    make_env(os.path.join(rel, 'devx-0000000001'))
    er.replace_link(link_of(envs), os.path.join(rel, 'dev-0000000002'))
    assert er.remove(link_of(envs), rel, {'dev-0000000001': [7]}, check=True) == (
        [link_of(envs), 'dev-0000000002'], ['dev-0000000001'])
    assert os.path.islink(link_of(envs))
    assert er.remove(link_of(envs), rel, {'dev-0000000001': [7]}) == ([link_of(envs), 'dev-0000000002'], ['dev-0000000001'])
    assert not os.path.lexists(link_of(envs))
    assert sorted(os.listdir(rel)) == ['dev-0000000001', 'devx-0000000001']
    assert er.remove(link_of(envs), rel, {}) == (['dev-0000000001'], [])


def test_remove_takes_an_environment_made_in_place(envs):
    make_env(link_of(envs))
    assert er.remove(link_of(envs), releases(envs), {}) == ([link_of(envs)], [])
    assert not os.path.lexists(link_of(envs))
