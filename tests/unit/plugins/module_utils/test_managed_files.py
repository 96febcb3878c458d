# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import os
import stat
import subprocess

import pytest

from ansible_collections.teamhub.jupyter.plugins.module_utils import managed_files

# Giving files to root and to other accounts needs root (CI runs the unit tests as root).
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='chown needs root')


def run(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def never(argv):
    raise AssertionError('no validate command should run: %r' % (argv,))


def owner_mode(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def entry(path, content='a = 1\n', **extra):
    return dict(dest=str(path), content=content, **extra)


def test_creates_rewrites_and_then_leaves_files_alone(tmp_path):
    one, two = tmp_path / 'one.conf', tmp_path / 'two.conf'
    two.write_text('old\n')
    done = managed_files.apply([entry(one, mode='0640'), entry(two, 'new\n')], never)
    assert [f['action'] for f in done['files']] == ['create', 'write']
    assert one.read_text() == 'a = 1\n' and owner_mode(one) == (0, 0, 0o640)
    assert two.read_text() == 'new\n' and owner_mode(two) == (0, 0, 0o644)
    assert done['diffs'][1] == dict(before_header=str(two), after_header=str(two), before='old\n', after='new\n')
    again = managed_files.apply([entry(one, mode='0640'), entry(two, 'new\n')], never)
    assert [f['action'] for f in again['files']] == ['none', 'none'] and again['diffs'] == []
    # No staged file is left beside them.
    assert sorted(p.name for p in tmp_path.iterdir()) == ['one.conf', 'two.conf']


def test_corrects_owner_and_mode_without_rewriting(tmp_path):
    path = tmp_path / 'f.conf'
    path.write_text('a = 1\n')
    os.chown(path, 65534, 65534)
    os.chmod(path, 0o4666)
    inode = os.stat(path).st_ino
    done = managed_files.apply([entry(path)], never)
    assert done['files'] == [dict(dest=str(path), action='attributes')] and done['diffs'] == []
    assert owner_mode(path) == (0, 0, 0o644) and os.stat(path).st_ino == inode


def test_a_link_where_a_file_belongs_is_replaced_never_written_through(tmp_path):
    target = tmp_path / 'shadow'
    target.write_text('secret\n')
    link = tmp_path / 'f.conf'
    link.symlink_to(target)
    done = managed_files.apply([entry(link)], never)
    assert done['files'][0]['action'] == 'write'
    assert not link.is_symlink() and link.read_text() == 'a = 1\n'
    assert target.read_text() == 'secret\n'


def test_a_failed_check_changes_nothing(tmp_path):
    good, bad = tmp_path / 'good.conf', tmp_path / 'bad.conf'
    good.write_text('old\n')
    bad.write_text('old\n')
    entries = [entry(good, 'fine\n', validate='grep -q fine %s'),
               entry(bad, 'broken\n', validate='grep -q fine %s')]
    with pytest.raises(managed_files.ValidationFailed, match=r'bad\.conf: the new content failed its check.*nothing was changed'):
        managed_files.apply(entries, run)
    assert good.read_text() == 'old\n' and bad.read_text() == 'old\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['bad.conf', 'good.conf']


def test_the_check_sees_the_new_content(tmp_path):
    path = tmp_path / 'f.conf'
    managed_files.apply([entry(path, 'fine\n', validate='grep -q fine %s')], run)
    assert path.read_text() == 'fine\n'


def test_absent_removes_and_check_mode_changes_nothing(tmp_path):
    gone, kept = tmp_path / 'gone.conf', tmp_path / 'kept.conf'
    gone.write_text('x\n')
    plan = [dict(dest=str(gone), state='absent'), entry(kept)]
    done = managed_files.apply(plan, never, check_mode=True)
    assert [f['action'] for f in done['files']] == ['remove', 'create']
    assert gone.exists() and not kept.exists()
    managed_files.apply(plan, never)
    assert not gone.exists() and kept.exists()
    assert [f['action'] for f in managed_files.apply(plan, never)['files']] == ['none', 'none']


@pytest.mark.parametrize('bad, message', [
    (dict(owner='no-such-user-xyz'), r"owner 'no-such-user-xyz' is not a user"),
    (dict(group='no-such-group-xyz'), r"group 'no-such-group-xyz' is not a group"),
    (dict(mode='rw-r--r--'), r"mode 'rw-r--r--' is not an octal mode"),
    (dict(mode='0999'), r"mode '0999' is not an octal mode"),
])
def test_bad_entries_fail_before_anything_changes(tmp_path, bad, message):
    first = tmp_path / 'first.conf'
    with pytest.raises(managed_files.ManagedFileError, match=message):
        managed_files.apply([entry(first), entry(tmp_path / 'second.conf', **bad)], never)
    assert not first.exists()


def test_missing_directory_duplicate_and_non_file_are_refused(tmp_path):
    with pytest.raises(managed_files.ManagedFileError, match='its directory .* does not exist'):
        managed_files.apply([entry(tmp_path / 'nodir' / 'f.conf')], never)
    # In check mode a task before would have made the directory.
    done = managed_files.apply([entry(tmp_path / 'nodir' / 'f.conf')], never, check_mode=True)
    assert done['files'][0]['action'] == 'create'
    with pytest.raises(managed_files.ManagedFileError, match='is listed twice'):
        managed_files.apply([entry(tmp_path / 'f.conf'), entry(tmp_path / 'f.conf')], never)
    (tmp_path / 'adir').mkdir()
    with pytest.raises(managed_files.ManagedFileError, match='is not a regular file'):
        managed_files.apply([entry(tmp_path / 'adir')], never)
    with pytest.raises(managed_files.ManagedFileError, match='validate must name the new file'):
        managed_files.apply([entry(tmp_path / 'f.conf', validate='true')], run)


def test_directories_are_made_first_and_corrected(tmp_path):
    top, sub = tmp_path / 'prefix', tmp_path / 'prefix' / 'etc'
    plan = [dict(dest=str(top), state='directory'), dict(dest=str(sub), state='directory', mode='0700'),
            entry(sub / 'f.conf')]
    done = managed_files.apply(plan, never, check_mode=True)
    assert [f['action'] for f in done['files']] == ['mkdir', 'mkdir', 'create'] and not top.exists()
    done = managed_files.apply(plan, never)
    assert [f['action'] for f in done['files']] == ['mkdir', 'mkdir', 'create']
    assert owner_mode(top) == (0, 0, 0o755) and owner_mode(sub) == (0, 0, 0o700)
    assert (sub / 'f.conf').read_text() == 'a = 1\n'
    os.chmod(top, 0o777)
    os.chown(sub, 65534, 65534)
    assert [f['action'] for f in managed_files.apply(plan, never)['files']] == ['attributes', 'attributes', 'none']
    assert owner_mode(top) == (0, 0, 0o755) and owner_mode(sub) == (0, 0, 0o700)
    assert [f['action'] for f in managed_files.apply(plan, never)['files']] == ['none', 'none', 'none']


def test_a_file_where_a_directory_belongs_is_refused(tmp_path):
    (tmp_path / 'prefix').write_text('x')
    with pytest.raises(managed_files.ManagedFileError, match='prefix is not a directory'):
        managed_files.apply([dict(dest=str(tmp_path / 'prefix'), state='directory')], never)


def test_missing_parents_of_a_directory_are_made(tmp_path):
    deep = tmp_path / 'a' / 'b' / 'c'
    managed_files.apply([dict(dest=str(deep), state='directory', mode='0700')], never)
    assert owner_mode(tmp_path / 'a') == (0, 0, 0o755) and owner_mode(deep) == (0, 0, 0o700)


def test_check_mode_takes_accounts_a_task_before_would_make(tmp_path):
    done = managed_files.apply([dict(dest=str(tmp_path / 'shared'), state='directory', group='no-such-group-xyz'),
                                entry(tmp_path / 'f.conf', owner='no-such-user-xyz')], never, check_mode=True)
    assert [f['action'] for f in done['files']] == ['mkdir', 'create']
