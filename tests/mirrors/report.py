"""How much of the test run's downloads the caching mirrors served from their caches.

    python3 tests/mirrors/report.py LOGDIR

LOGDIR is what scripts/mirrors.sh report copies out of the mirrors container: the
mirrors' logs and fetched.txt, the cache files written during this run ("SIZE PATH").
One line per mirror: packages served to the test containers, and how many of them had
to be fetched from upstream; the rest came from the cache.
"""

import json
import re
import sys
from pathlib import Path

# gunicorn's access log: ... "GET /index/<project>/<file> HTTP/1.1" 200 <bytes> ...
PYPI_FILE = re.compile(r'"GET /index/[^/ ]+/([^/ ]+) HTTP/[0-9.]+" 200 (\d+)')


def megabytes(size):
    return f"{size / 1e6:.1f} MB"


def line(name, served, served_bytes, fetched, fetched_bytes):
    if not served:
        return f"{name}: nothing served"
    cached = max(served - fetched, 0)
    return (
        f"{name}: {served} files served ({megabytes(served_bytes)}), {fetched} fetched from upstream "
        f"({megabytes(fetched_bytes)}), {cached} from the cache ({100 * cached // served}%)"
    )


def apt(logdir):
    """apt-cacher-ng's transfer log: "time|I|size|client|path" is a download from
    upstream, "time|O|size|client|path" a file sent to a client."""
    counts = {"I": [0, 0], "O": [0, 0]}
    log = logdir / "apt" / "apt-cacher.log"
    for row in log.read_text(errors="replace").splitlines() if log.exists() else []:
        fields = row.split("|")
        if len(fields) >= 5 and fields[1] in counts and fields[4].endswith(".deb"):
            counts[fields[1]][0] += 1
            counts[fields[1]][1] += int(fields[2] or 0)
    return line("apt (apt-cacher-ng, .deb files)", *counts["O"], *counts["I"])


def fetched(logdir, prefix, suffixes):
    count = size = 0
    listing = logdir / "fetched.txt"
    for row in listing.read_text().splitlines() if listing.exists() else []:
        bytes_, _sep, path = row.partition(" ")
        if path.startswith(prefix) and path.endswith(suffixes):
            count += 1
            size += int(bytes_)
    return count, size


def pypi(logdir):
    served = served_bytes = 0
    log = logdir / "pypi-access.log"
    for row in log.read_text(errors="replace").splitlines() if log.exists() else []:
        match = PYPI_FILE.search(row)
        if match:
            served += 1
            served_bytes += int(match.group(2))
    return line("PyPI (proxpi, wheels and sdists)", served, served_bytes,
                *fetched(logdir, "pypi/", (".whl", ".tar.gz", ".zip")))


def npm(logdir):
    """verdaccio's JSON log: one record per answered request with its status and bytes."""
    served = served_bytes = 0
    log = logdir / "npm.log"
    for row in log.read_text(errors="replace").splitlines() if log.exists() else []:
        try:
            record = json.loads(row)
        except ValueError:
            continue
        request = record.get("request") or {}
        out = (record.get("bytes") or {}).get("out", 0)
        if (record.get("sub") == "in" and record.get("status") == 200 and out
                and request.get("url", "").endswith(".tgz")):
            served += 1
            served_bytes += out
    return line("npm (verdaccio, tarballs)", served, served_bytes, *fetched(logdir, "npm/", (".tgz",)))


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    logdir = Path(argv[1])
    for report in (apt, pypi, npm):
        print(report(logdir))


if __name__ == "__main__":
    main(sys.argv)
