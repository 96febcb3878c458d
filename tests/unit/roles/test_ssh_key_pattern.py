# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""__users_ssh_key_pattern (roles/users/vars/main.yml) as Jinja's `match` test applies it
(re.match): one OpenSSH public key, the whole string, no options."""

import os
import re

import pytest
import yaml

VARS = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'users', 'vars', 'main.yml')
with open(os.path.normpath(VARS), encoding='utf-8') as _handle:
    PATTERN = yaml.safe_load(_handle)['__users_ssh_key_pattern']
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'


@pytest.mark.parametrize('key', [KEY, KEY + ' eve@laptop', KEY + ' eve laptop 2024',
                                 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== eve'])
def test_keys_pass(key):
    assert re.match(PATTERN, key)


@pytest.mark.parametrize('key', [
    'command="/bin/sh" ' + KEY + ' eve@laptop',
    'from="10.0.0.1" ' + KEY + ' eve@laptop',
    'restrict ' + KEY,
    KEY + ' eve\nssh-rsa AAAAB3 x',
    KEY + ' eve@laptop\n',
    KEY + '\n',
    KEY + ' eve\rcommand="/bin/sh"',
    'not-a-key AAAA eve@laptop',
    'ssh-ed25519',
])
def test_options_and_more_lines_are_refused(key):
    assert not re.match(PATTERN, key)
