# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import re
import stat

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import secret_files

# Giving files to root and to other accounts needs root (CI runs the unit tests as root).
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='chown needs root')


def files(tmp_path):
    return [{'path': str(tmp_path / 'cookie'), 'prefix': ''},
            {'path': str(tmp_path / 'proxy.env'), 'prefix': 'CONFIGPROXY_AUTH_TOKEN='}]


def owner_mode(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def test_generates_missing_secrets_root_only_with_their_prefix(tmp_path):
    done = secret_files.apply(files(tmp_path))
    assert done == {'generated': [str(tmp_path / 'cookie'), str(tmp_path / 'proxy.env')], 'fixed': []}
    assert re.fullmatch('[0-9a-f]{64}\n', (tmp_path / 'cookie').read_text())
    assert re.fullmatch('CONFIGPROXY_AUTH_TOKEN=[0-9a-f]{64}\n', (tmp_path / 'proxy.env').read_text())
    assert owner_mode(str(tmp_path / 'cookie')) == (0, 0, 0o600)
    # No temporary file left beside them.
    assert sorted(os.listdir(str(tmp_path))) == ['cookie', 'proxy.env']


def test_two_secrets_differ_and_a_second_run_keeps_them(tmp_path):
    secret_files.apply(files(tmp_path))
    first = (tmp_path / 'cookie').read_text()
    assert first.strip() != (tmp_path / 'proxy.env').read_text().split('=')[1].strip()
    assert secret_files.apply(files(tmp_path)) == {'generated': [], 'fixed': []}
    assert (tmp_path / 'cookie').read_text() == first


def test_check_mode_reports_and_writes_nothing(tmp_path):
    done = secret_files.apply(files(tmp_path), check_mode=True)
    assert len(done['generated']) == 2
    assert os.listdir(str(tmp_path)) == []


def test_a_secret_others_could_read_is_given_back_to_root(tmp_path):
    secret_files.apply(files(tmp_path))
    path = str(tmp_path / 'cookie')
    os.chown(path, 1001, 1001)
    os.chmod(path, 0o644)
    before = (tmp_path / 'cookie').read_text()
    assert secret_files.apply(files(tmp_path)) == {'generated': [], 'fixed': [path]}
    assert owner_mode(path) == (0, 0, 0o600)
    assert (tmp_path / 'cookie').read_text() == before


@pytest.mark.parametrize('content', ['', '\n', 'abc\n', 'g' * 64 + '\n', '0' * 63 + '\n'])
def test_an_empty_or_malformed_secret_fails_before_anything_changes(tmp_path, content):
    (tmp_path / 'proxy.env').write_text('CONFIGPROXY_AUTH_TOKEN=' + content)
    with pytest.raises(secret_files.SecretFileError) as exc:
        secret_files.apply(files(tmp_path))
    message = str(exc.value)
    assert '%s is empty or malformed' % (tmp_path / 'proxy.env') in message
    assert 'Remove the files and run again' in message
    # The cookie secret was not generated either: nothing half-done.
    assert not (tmp_path / 'cookie').exists()


def test_a_symlink_where_a_secret_belongs_is_refused_and_not_followed(tmp_path):
    target = tmp_path / 'elsewhere'
    target.write_text('0' * 64 + '\n')
    os.chmod(str(target), 0o644)
    os.symlink(str(target), str(tmp_path / 'cookie'))
    with pytest.raises(secret_files.SecretFileError) as exc:
        secret_files.apply(files(tmp_path))
    assert '%s is a symlink' % (tmp_path / 'cookie') in str(exc.value)
    assert owner_mode(str(target))[2] == 0o644
    assert not (tmp_path / 'proxy.env').exists()


def test_a_directory_where_a_secret_belongs_is_refused(tmp_path):
    (tmp_path / 'cookie').mkdir()
    with pytest.raises(secret_files.SecretFileError) as exc:
        secret_files.apply(files(tmp_path))
    assert '%s is not a regular file' % (tmp_path / 'cookie') in str(exc.value)


def test_the_message_never_carries_a_secret(tmp_path):
    secret_files.apply(files(tmp_path))
    secret = (tmp_path / 'cookie').read_text().strip()
    (tmp_path / 'proxy.env').write_text('CONFIGPROXY_AUTH_TOKEN=Zq9xW\n')
    with pytest.raises(secret_files.SecretFileError) as exc:
        secret_files.apply(files(tmp_path))
    assert secret not in str(exc.value) and 'Zq9xW' not in str(exc.value)


def test_a_relative_path_is_refused(tmp_path):
    with pytest.raises(secret_files.SecretFileError, match='cookie is not an absolute path'):
        secret_files.apply([{'path': 'cookie'}])


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def broken_fsync(fd):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(os, 'fsync', broken_fsync)
    with pytest.raises(OSError):
        secret_files.apply(files(tmp_path))
    assert os.listdir(str(tmp_path)) == []
