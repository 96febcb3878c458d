# -*- coding: utf-8 -*-
# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""tests/mirrors/report.py on logs written in the three mirrors' own formats."""

import importlib.util
import json
import os

REPORT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', 'mirrors', 'report.py'))
spec = importlib.util.spec_from_file_location('teamhub_mirrors_report', REPORT)
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)

CLIENT = '172.18.0.3'


def write_logs(tmp_path):
    (tmp_path / 'apt').mkdir()
    (tmp_path / 'apt' / 'apt-cacher.log').write_text('\n'.join([
        # An index, fetched and sent: not a package.
        f'1796444639|I|151287|{CLIENT}|debrep/dists/bookworm/InRelease',
        f'1796444639|O|151293|{CLIENT}|debrep/dists/bookworm/InRelease',
        # One package fetched and sent, then sent again from the cache.
        f'1796444640|I|1000000|{CLIENT}|debrep/pool/main/o/openssh/openssh-server_9.2p1-2_amd64.deb',
        f'1796444640|O|1000100|{CLIENT}|debrep/pool/main/o/openssh/openssh-server_9.2p1-2_amd64.deb',
        '1796444700|O|1000100|172.18.0.4|debrep/pool/main/o/openssh/openssh-server_9.2p1-2_amd64.deb',
        'not a transfer line',
    ]) + '\n')
    (tmp_path / 'pypi-access.log').write_text('\n'.join([
        f'{CLIENT} - - [05/Dec/2026:04:24:32 +0000] "GET /index/jupyterhub/ HTTP/1.1" 200 10679 "-" "pip"',
        f'{CLIENT} - - [05/Dec/2026:04:24:32 +0000] "GET /index/jupyterhub/jupyterhub-5.2.1-py3-none-any.whl HTTP/1.1" 200 2000000 "-" "pip"',
        f'{CLIENT} - - [05/Dec/2026:04:25:32 +0000] "GET /index/jupyterhub/jupyterhub-5.2.1-py3-none-any.whl HTTP/1.1" 200 2000000 "-" "pip"',
        f'{CLIENT} - - [05/Dec/2026:04:25:33 +0000] "GET /index/nosuch/nosuch-1.0.tar.gz HTTP/1.1" 404 12 "-" "pip"',
    ]) + '\n')
    records = [
        # verdaccio logs each request when it arrives (no bytes) and when it is answered.
        {'sub': 'in', 'request': {'method': 'GET', 'url': '/configurable-http-proxy/-/configurable-http-proxy-4.6.2.tgz'},
         'remoteIP': CLIENT, 'status': 200, 'bytes': {'in': 0, 'out': 0}},
        {'sub': 'in', 'request': {'method': 'GET', 'url': '/configurable-http-proxy/-/configurable-http-proxy-4.6.2.tgz'},
         'remoteIP': CLIENT, 'status': 200, 'bytes': {'in': 0, 'out': 30000}},
        {'request': {'method': 'GET', 'url': 'https://upstream.invalid/configurable-http-proxy'}, 'status': 200,
         'bytes': {'in': 0, 'out': 28134}},
        {'sub': 'in', 'request': {'method': 'GET', 'url': '/configurable-http-proxy'}, 'remoteIP': CLIENT,
         'status': 200, 'bytes': {'in': 0, 'out': 36582}},
    ]
    (tmp_path / 'npm.log').write_text('\n'.join(json.dumps(r) for r in records) + '\nverdaccio started\n')
    (tmp_path / 'fetched.txt').write_text('\n'.join([
        '1000000 apt/upstream.invalid/debian/pool/main/o/openssh/openssh-server_9.2p1-2_amd64.deb',
        '2000000 pypi/files-host/packages/ab/cd/jupyterhub-5.2.1-py3-none-any.whl',
        '30000 npm/configurable-http-proxy/configurable-http-proxy-4.6.2.tgz',
        '900 npm/configurable-http-proxy/package.json',
    ]) + '\n')


def test_each_mirror_counts_packages_served_and_fetched(tmp_path):
    write_logs(tmp_path)
    assert report.apt(tmp_path) == (
        'apt (apt-cacher-ng, .deb files): 2 files served (2.0 MB), 1 fetched from upstream (1.0 MB), '
        '1 from the cache (50%)')
    assert report.pypi(tmp_path) == (
        'PyPI (proxpi, wheels and sdists): 2 files served (4.0 MB), 1 fetched from upstream (2.0 MB), '
        '1 from the cache (50%)')
    assert report.npm(tmp_path) == (
        'npm (verdaccio, tarballs): 1 files served (0.0 MB), 1 fetched from upstream (0.0 MB), '
        '0 from the cache (0%)')


def test_missing_logs_say_nothing_was_served(tmp_path):
    for count in (report.apt, report.pypi, report.npm):
        assert count(tmp_path).endswith(': nothing served')
