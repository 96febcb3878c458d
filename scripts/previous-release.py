"""Find the collection's previous release in git history and unpack it.

    python3 scripts/previous-release.py [--extract DIR]

The previous release is the last commit whose galaxy.yml version differs from the
version galaxy.yml has now: the parent of the commit that moved the version. With
--extract, its files are unpacked as DIR/ansible_collections/teamhub/jupyter, ready for
ANSIBLE_COLLECTIONS_PATH=DIR. Prints {"commit", "version", "current"} as JSON.
Used by the jupyterhub scenario, which upgrades a host from that release.
"""

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git(*args, binary=False):
    result = subprocess.run(["git", "-C", ROOT, *args], capture_output=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {result.stderr.decode().strip()}")
    return result.stdout if binary else result.stdout.decode()


def version_at(rev):
    """The version galaxy.yml says at REV ('' when it has none)."""
    result = subprocess.run(["git", "-C", ROOT, "show", f"{rev}:galaxy.yml"], capture_output=True, text=True, check=False)
    match = re.search(r"^version:\s*['\"]?([^'\"\s]+)", result.stdout, re.MULTILINE)
    return match.group(1) if result.returncode == 0 and match else ""


def previous_release():
    """(commit, version, current version) of the previous release."""
    current = version_at("HEAD")
    if not current:
        raise SystemExit("galaxy.yml at HEAD has no version")
    newer = None
    for commit in git("log", "--format=%H", "HEAD", "--", "galaxy.yml").split():
        version = version_at(commit)
        if version != current:
            if newer is None:
                raise SystemExit(f"galaxy.yml's newest commit {commit} does not say version {current}")
            parent = git("rev-parse", f"{newer}^").strip()
            return parent, version_at(parent), current
        newer = commit
    if git("rev-parse", "--is-shallow-repository").strip() == "true":
        raise SystemExit("this clone is shallow and holds no earlier version of galaxy.yml: git fetch --unshallow")
    raise SystemExit(f"no commit has a galaxy.yml version other than {current}: there is no previous release")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", metavar="DIR", help="unpack the release as DIR/ansible_collections/teamhub/jupyter")
    args = parser.parse_args()
    commit, version, current = previous_release()
    if args.extract:
        target = os.path.join(args.extract, "ansible_collections", "teamhub", "jupyter")
        os.makedirs(target, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(git("archive", "--format=tar", commit, binary=True))) as archive:
            archive.extractall(target, filter="data")
    json.dump({"commit": commit, "version": version, "current": current}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
