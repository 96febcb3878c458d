# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os

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
