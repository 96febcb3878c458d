# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one check for credentials in URL settings (user:password@ or user@), used by roles
network, miniconda, kernels, tailscale and jupyterhub, and its masking."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type  # pylint: disable=invalid-name

import pytest

from ansible_collections.teamhub.jupyter.plugins.filter import url_credentials
from ansible_collections.teamhub.jupyter.plugins.filter.url_credentials import findings, mask


@pytest.mark.parametrize('url, masked', [
    ('http://alice:s3cret@proxy.corp:3128', 'http://***@proxy.corp:3128'),
    ('http://alice@proxy.corp:3128', 'http://***@proxy.corp:3128'),
    ('alice:s3cret@proxy.corp:3128', '***@proxy.corp:3128'),
    ('https://__token__:pypi-t0ken@pypi.corp/simple', 'https://***@pypi.corp/simple'),
    ('http://alice:p@ss@proxy.corp:3128/x@y', 'http://***@proxy.corp:3128/x@y'),
    ('HTTPS://alice:s3cret@mirror.corp/', 'HTTPS://***@mirror.corp/'),
])
def test_credentials_are_found_and_masked(url, masked):
    assert mask(url) == masked
    assert findings({'setting': url}) == ['setting carries credentials (%s)' % masked]


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
def test_urls_without_credentials_pass_and_stay_as_they_are(url):
    assert findings({'setting': url}) == []
    assert mask(url) == url


def test_every_url_of_every_setting_is_named_in_order():
    settings = {
        'network_http_proxy': 'http://proxy.corp:3128',
        'network_https_proxy': 'http://alice:s3cret@proxy.corp:3128',
        'miniconda_channels': ['conda-forge', 'https://ci:t0ken@mirror.corp/internal', 'https://bob@mirror.corp/b'],
    }
    assert findings(settings) == [
        'network_https_proxy carries credentials (http://***@proxy.corp:3128)',
        'miniconda_channels carries credentials (https://***@mirror.corp/internal)',
        'miniconda_channels carries credentials (https://***@mirror.corp/b)',
    ]


def test_pairs_nested_values_and_other_scalars():
    settings = [
        ['kernels_list[geo].channels', ['conda-forge', 'https://alice:s3cret@mirror.corp/geo']],
        ['miniconda_condarc_extra', {'proxy_servers': {'http': 'http://alice:s3cret@proxy.corp:3128'}, 'ssl_verify': True,
                                     'envs_dirs': [None, 3]}],
        ['miniconda_channel_alias', None],
    ]
    assert findings(settings) == [
        'kernels_list[geo].channels carries credentials (https://***@mirror.corp/geo)',
        'miniconda_condarc_extra carries credentials (http://***@proxy.corp:3128)',
    ]


def test_mask_reads_other_scalars_as_text():
    assert mask(8000) == '8000'


def test_the_filters_are_registered():
    assert url_credentials.FilterModule().filters() == {'url_credentials': findings, 'mask_url_credentials': mask}
