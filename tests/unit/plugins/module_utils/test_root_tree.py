# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import stat

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import root_tree

# Giving files to another account and back needs root (CI runs the unit tests as root).
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='chown to other accounts needs root')

MEMBER = 1001


def owner(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def tree(tmp_path):
    """A root-owned prefix: bin/python, etc/profile.d/conda.sh, a link to a file outside."""
    top = tmp_path / 'conda'
    (top / 'bin').mkdir(parents=True)
    (top / 'etc' / 'profile.d').mkdir(parents=True)
    (top / 'bin' / 'python').write_text(u'#!/bin/sh\n')
    (top / 'etc' / 'profile.d' / 'conda.sh').write_text(u'export CONDA=1\n')
    outside = tmp_path / 'outside'
    outside.write_text(u'not part of the tree\n')
    os.chown(str(outside), MEMBER, MEMBER)
    os.chmod(str(outside), 0o666)
    os.symlink(str(outside), str(top / 'bin' / 'elsewhere'))
    for dirpath, dirnames, filenames in os.walk(str(top)):
        for name in [dirpath] + [os.path.join(dirpath, entry) for entry in dirnames + filenames]:
            os.lchown(name, 0, 0)
            if not os.path.islink(name):
                os.chmod(name, 0o755)
    return top


def test_a_tree_that_is_right_has_nothing_to_fix(tree):
    assert root_tree.scan(str(tree)) == {'count': 0, 'entries': []}
    assert root_tree.fix(str(tree)) == {'count': 0, 'entries': []}
    assert root_tree.describe({'count': 0, 'entries': []}) == ''


def test_scan_reports_foreign_owners_and_writable_modes_and_changes_nothing(tree):
    script = tree / 'etc' / 'profile.d' / 'conda.sh'
    os.chown(str(script), MEMBER, MEMBER)
    os.chmod(str(tree / 'bin'), 0o775)
    found = root_tree.scan(str(tree))
    assert found['count'] == 2
    assert {(entry['path'], entry['problem']) for entry in found['entries']} == {
        (str(tree / 'bin'), 'mode 0775'),
        (str(script), 'owned by 1001:1001'),
    }
    assert owner(str(script)) == (MEMBER, MEMBER) and mode(str(tree / 'bin')) == 0o775


def test_fix_gives_everything_back_to_root_and_a_second_walk_finds_nothing(tree):
    script = tree / 'etc' / 'profile.d' / 'conda.sh'
    os.chown(str(script), MEMBER, MEMBER)
    os.chmod(str(script), 0o666)
    os.chmod(str(tree), 0o777)
    found = root_tree.fix(str(tree))
    assert found['count'] == 2
    assert found['entries'][0] == {'path': str(tree), 'problem': 'mode 0777'}
    assert found['entries'][1] == {'path': str(script), 'problem': 'owned by 1001:1001, mode 0666'}
    assert owner(str(script)) == (0, 0) and mode(str(script)) == 0o644 and mode(str(tree)) == 0o755
    assert root_tree.scan(str(tree))['count'] == 0


def test_a_link_is_corrected_itself_never_its_target(tree, tmp_path):
    link = tree / 'bin' / 'elsewhere'
    os.lchown(str(link), MEMBER, MEMBER)
    found = root_tree.fix(str(tree))
    assert [entry['path'] for entry in found['entries']] == [str(link)]
    assert owner(str(link)) == (0, 0)
    # The target outside the tree keeps its owner and its (writable) mode.
    assert owner(str(tmp_path / 'outside')) == (MEMBER, MEMBER) and mode(str(tmp_path / 'outside')) == 0o666


def test_a_linked_directory_is_never_entered(tree, tmp_path):
    victim = tmp_path / 'victim'
    victim.mkdir()
    (victim / 'file').write_text(u'x\n')
    os.chown(str(victim / 'file'), MEMBER, MEMBER)
    os.symlink(str(victim), str(tree / 'lib'))
    assert root_tree.fix(str(tree))['count'] == 0
    assert owner(str(victim / 'file')) == (MEMBER, MEMBER)


def test_a_set_user_id_bit_cleared_by_chown_is_not_set_again(tree):
    planted = tree / 'bin' / 'python'
    os.chown(str(planted), MEMBER, MEMBER)
    os.chmod(str(planted), 0o4777)
    root_tree.fix(str(tree))
    assert owner(str(planted)) == (0, 0)
    assert not mode(str(planted)) & (stat.S_ISUID | stat.S_IWGRP | stat.S_IWOTH)


def test_the_list_stops_at_twenty_and_the_count_goes_on(tree):
    for number in range(25):
        path = tree / ('file-%02d' % number)
        path.write_text(u'x\n')
        os.chown(str(path), MEMBER, 0)
    found = root_tree.scan(str(tree))
    assert found['count'] == 25 and len(found['entries']) == root_tree.MAX_LISTED
    assert root_tree.describe(found).splitlines()[-1] == '... and 5 more'


@pytest.mark.parametrize('make, message', [
    (lambda tmp: os.symlink(str(tmp), str(tmp / 'top')), 'is a symlink'),
    (lambda tmp: (tmp / 'top').write_text(u'x'), 'is not a directory'),
    (lambda tmp: None, 'cannot read'),
])
def test_a_top_that_is_not_a_directory_is_refused(tmp_path, make, message):
    make(tmp_path)
    with pytest.raises(root_tree.RootTreeError, match=message):
        root_tree.scan(str(tmp_path / 'top'))


def test_a_relative_top_is_refused():
    with pytest.raises(root_tree.RootTreeError, match='not an absolute path'):
        root_tree.scan('opt/conda')
