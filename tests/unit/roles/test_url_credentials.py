# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pattern the roles refuse URLs with credentials by (user:password@ or user@), kept
in each role's vars/main.yml: the same everywhere, and what Jinja's `match` test
(re.match) and `regex_replace(pattern, '\\1***@')` make of it."""

import os
import re

import pytest
import yaml

ROLES = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles'))
NAMES = {
    'network': '__network_url_userinfo_pattern',
    'miniconda': '__miniconda_url_userinfo_pattern',
    'kernels': '__kernels_url_userinfo_pattern',
    'tailscale': 'tailscale_url_userinfo_pattern',
    'jupyterhub': '__jupyterhub_url_userinfo_pattern',
}


def role_vars(role):
    with open(os.path.join(ROLES, role, 'vars', 'main.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


PATTERNS = {role: role_vars(role)[name] for role, name in NAMES.items()}
PATTERN = PATTERNS['network']


def test_every_role_has_the_same_pattern():
    assert set(PATTERNS.values()) == {PATTERN}, PATTERNS


def test_no_other_role_keeps_a_copy_of_its_own():
    others = [role for role in os.listdir(ROLES) if role not in NAMES
              and any(key.endswith('url_userinfo_pattern') for key in role_vars(role) or {})]
    assert not others


@pytest.mark.parametrize('url, masked', [
    ('http://alice:s3cret@proxy.corp:3128', 'http://***@proxy.corp:3128'),
    ('http://alice@proxy.corp:3128', 'http://***@proxy.corp:3128'),
    ('alice:s3cret@proxy.corp:3128', '***@proxy.corp:3128'),
    ('https://__token__:pypi-t0ken@pypi.corp/simple', 'https://***@pypi.corp/simple'),
    ('http://alice:p@ss@proxy.corp:3128/x@y', 'http://***@proxy.corp:3128/x@y'),
    ('HTTPS://alice:s3cret@mirror.corp/', 'HTTPS://***@mirror.corp/'),
])
def test_credentials_are_found_and_masked(url, masked):
    assert re.match(PATTERN, url)
    assert re.sub(PATTERN, r'\1***@', url) == masked


@pytest.mark.parametrize('url', [
    '',
    'http://proxy.corp:3128',
    'https://mirror.corp/npm/@scope/',
    'mirror.corp/npm/@scope',
    'file:///srv/channel@2',
    'conda-forge',
    'https://pkgs.tailscale.com/stable/debian/{release}.noarmor.gpg',
    'https://mirror.corp/simple?user=a@b',
])
def test_urls_without_credentials_pass(url):
    assert not re.match(PATTERN, url)
