# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import stat

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import paths


def test_a_directory_is_opened_itself(tmp_path):
    fd = paths.open_directory(str(tmp_path))
    try:
        assert os.path.samestat(os.fstat(fd), os.stat(str(tmp_path)))
    finally:
        os.close(fd)


@pytest.mark.parametrize('make, why', [
    (lambda tmp: os.symlink(str(tmp), str(tmp / 'top')), paths.IS_LINK),
    (lambda tmp: os.symlink(str(tmp / 'nowhere'), str(tmp / 'top')), paths.IS_LINK),
    (lambda tmp: (tmp / 'top').write_text(u'x'), paths.NOT_DIR),
    (lambda tmp: None, paths.MISSING),
])
def test_what_is_not_a_directory_says_why(tmp_path, make, why):
    make(tmp_path)
    with pytest.raises(paths.NotADirectory) as exc:
        paths.open_directory(str(tmp_path / 'top'))
    assert exc.value.why == why and str(exc.value) == '%s is %s' % (tmp_path / 'top', why)


def test_replace_file_writes_owner_mode_and_content_and_replaces_a_link(tmp_path):
    target = tmp_path / 'target'
    target.write_text(u'not to be touched\n')
    link = tmp_path / 'keys'
    os.symlink(str(target), str(link))
    paths.replace_file(str(link), b'new\n', 0, 0, 0o640)
    st = os.lstat(str(link))
    assert stat.S_ISREG(st.st_mode) and (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, 0, 0o640)
    assert link.read_bytes() == b'new\n'
    assert target.read_text() == u'not to be touched\n'
    assert sorted(os.listdir(str(tmp_path))) == ['keys', 'target']


def test_replace_file_leaves_the_old_file_and_no_temporary_one_on_failure(tmp_path, monkeypatch):
    path = tmp_path / 'secret'
    path.write_bytes(b'old\n')

    def broken_fsync(fd):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(os, 'fsync', broken_fsync)
    with pytest.raises(OSError):
        paths.replace_file(str(path), b'new\n', 0, 0, 0o600)
    assert path.read_bytes() == b'old\n'
    assert os.listdir(str(tmp_path)) == ['secret']
