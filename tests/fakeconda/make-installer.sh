#!/usr/bin/env bash
# Build a Miniconda-style self-extracting installer around the conda stand-in
# (tests/fakeconda/conda), for tests that must not reach the Miniconda download
# site or any conda channel.
#
#   tests/fakeconda/make-installer.sh OUTDIR [CONDA_SCRIPT]
#
# writes OUTDIR/Miniconda3-teamhub-fake-Linux-x86_64.sh and, next to it, the
# same name + .sha256 (the bare hex digest). CONDA_SCRIPT defaults to the
# stand-in next to this file. The installer understands the options the
# teamhub.jupyter.miniconda role (and most people) use with the real one:
#
#   bash Miniconda3-teamhub-fake-Linux-x86_64.sh -b -p PREFIX [-u] [-f]
#
# It lays down PREFIX/bin/conda (the stand-in), PREFIX/bin/python (the system
# Python 3), PREFIX/condabin/conda, PREFIX/etc/profile.d/conda.sh and
# PREFIX/conda-meta/history. It is a test fixture: never shipped by the roles.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: $0 OUTDIR [CONDA_SCRIPT]}
conda_script=${2:-$here/conda}
name=Miniconda3-teamhub-fake-Linux-x86_64.sh

if [ ! -f "$conda_script" ]; then
  echo "conda stand-in not found: $conda_script" >&2
  exit 1
fi
if ! head -1 "$conda_script" | grep -q '^#!.*python'; then
  echo "conda stand-in $conda_script has no python shebang" >&2
  exit 1
fi

mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The payload: files that do not depend on the prefix. Files that name the
# prefix are written by the installer itself (like the real one's post-link).
mkdir -p "$stage/payload/bin" "$stage/payload/condabin" "$stage/payload/etc/profile.d" \
  "$stage/payload/conda-meta" "$stage/payload/pkgs" "$stage/payload/envs"
# The stand-in runs on the system Python, as the real conda runs on its base Python.
sed '1s|^#!.*|#!/usr/bin/python3|' "$conda_script" >"$stage/payload/bin/conda"
chmod 0755 "$stage/payload/bin/conda"

# The installer header: everything up to the marker line is shell, the rest
# is a gzipped tar archive.
cat >"$stage/header.sh" <<'HEADER'
#!/bin/sh
# Miniconda3 teamhub-fake: a stand-in installer for tests (teamhub.jupyter).
# Usage: bash THIS.sh [-b] [-f] [-u] [-p PREFIX]
set -eu

VERSION=teamhub-fake
PREFIX="${HOME:-/root}/miniconda3"
BATCH=0
FORCE=0
UPDATE=0

usage() {
    cat <<USAGE
usage: $0 [options]

Installs Miniconda3 $VERSION (a conda stand-in for tests)

-b           run install in batch mode (without manual intervention)
-f           no error if install prefix already exists
-h           print this help message and exit
-p PREFIX    install prefix, defaults to $PREFIX, must not contain spaces
-u           update an existing installation
USAGE
}

while getopts "bfhp:u" opt; do
    case "$opt" in
        b) BATCH=1 ;;
        f) FORCE=1 ;;
        h) usage; exit 0 ;;
        p) PREFIX="$OPTARG" ;;
        u) UPDATE=1 ;;
        *) usage >&2; exit 2 ;;
    esac
done

if [ "$BATCH" != 1 ]; then
    echo "ERROR: this test installer only runs in batch mode (-b)" >&2
    exit 2
fi
case "$PREFIX" in
    *" "*) echo "ERROR: Cannot install into directories with spaces: '$PREFIX'" >&2; exit 1 ;;
    "") echo "ERROR: empty install prefix" >&2; exit 1 ;;
    /*) ;;
    *) PREFIX="$(pwd)/$PREFIX" ;;
esac
PREFIX=$(echo "$PREFIX" | sed -e 's|//*|/|g' -e 's|/$||')
if [ -z "$PREFIX" ]; then
    echo "ERROR: refusing to install into /" >&2
    exit 1
fi
if [ -e "$PREFIX" ] && [ ! -d "$PREFIX" ]; then
    echo "ERROR: install prefix exists and is not a directory: '$PREFIX'" >&2
    exit 1
fi
if [ -e "$PREFIX" ] && [ "$UPDATE" != 1 ] && [ "$FORCE" != 1 ]; then
    echo "ERROR: File or directory already exists: '$PREFIX'" >&2
    echo "If you want to update an existing installation, use the -u option." >&2
    exit 1
fi
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3 || true)
if [ -z "$PYTHON" ]; then
    echo "ERROR: python3 not found: the test installer runs conda on the system Python" >&2
    exit 1
fi

created=0
[ -d "$PREFIX" ] || created=1
if ! mkdir -p "$PREFIX" 2>/dev/null || [ ! -w "$PREFIX" ]; then
    echo "ERROR: Could not create or write to the install prefix: '$PREFIX'" >&2
    exit 1
fi
cleanup() {
    status=$?
    if [ "$status" != 0 ] && [ "$created" = 1 ]; then
        rm -rf "$PREFIX"
    fi
    exit "$status"
}
trap cleanup EXIT

echo "PREFIX=$PREFIX"
echo "Unpacking payload ..."
line=$(awk '/^__TEAMHUB_FAKECONDA_PAYLOAD__$/ { print NR + 1; exit }' "$0")
tail -n "+$line" "$0" | tar -xzf - -C "$PREFIX" --no-same-owner

ln -sfn "$PYTHON" "$PREFIX/bin/python"
ln -sfn python "$PREFIX/bin/python3"

cat >"$PREFIX/condabin/conda" <<EOS
#!/bin/sh
exec "$PREFIX/bin/conda" "\$@"
EOS
chmod 0755 "$PREFIX/condabin/conda"

# A minimal conda.sh: the conda shell function, activate/deactivate by PATH.
cat >"$PREFIX/etc/profile.d/conda.sh" <<EOS
# conda shell support (teamhub fake installer)
export CONDA_EXE='$PREFIX/bin/conda'
export CONDA_PYTHON_EXE='$PREFIX/bin/python'
export _CE_M=''
export _CE_CONDA=''
case ":\${PATH}:" in
    *":$PREFIX/condabin:"*) ;;
    *) export PATH="$PREFIX/condabin:\${PATH}" ;;
esac
__conda_env_prefix() {
    case "\$1" in
        ""|base) echo '$PREFIX' ;;
        */*) echo "\$1" ;;
        *) "\$CONDA_EXE" env list --json 2>/dev/null | '$PREFIX/bin/python' -c '
import json, os, sys
name = sys.argv[1]
for p in json.load(sys.stdin).get("envs", []):
    if os.path.basename(p) == name:
        print(p)
        break
' "\$1" ;;
    esac
}
conda() {
    case "\${1:-}" in
        activate)
            __conda_p=\$(__conda_env_prefix "\${2:-}")
            if [ -z "\$__conda_p" ] || [ ! -d "\$__conda_p/bin" ]; then
                echo "EnvironmentNameNotFound: Could not find conda environment: \${2:-}" >&2
                return 1
            fi
            [ -z "\${CONDA_PREFIX:-}" ] || conda deactivate
            export PATH="\$__conda_p/bin:\${PATH}"
            export CONDA_PREFIX="\$__conda_p"
            export CONDA_DEFAULT_ENV="\${2:-base}"
            export CONDA_SHLVL=1
            unset __conda_p
            hash -r 2>/dev/null || true
            ;;
        deactivate)
            if [ -n "\${CONDA_PREFIX:-}" ]; then
                PATH=\$(echo ":\${PATH}:" | sed -e "s|:\$CONDA_PREFIX/bin:|:|" -e 's|^:||' -e 's|:\$||')
                export PATH
                unset CONDA_PREFIX CONDA_DEFAULT_ENV
                export CONDA_SHLVL=0
                hash -r 2>/dev/null || true
            fi
            ;;
        *) "\$CONDA_EXE" "\$@" ;;
    esac
}
EOS

{
    echo "==> $(date '+%Y-%m-%d %H:%M:%S') <=="
    echo "# cmd: $0 -b -p $PREFIX"
    echo "# conda version: $VERSION"
    echo "+teamhub-fake::conda-$VERSION-0"
} >>"$PREFIX/conda-meta/history"

echo "installation finished."
exit 0
__TEAMHUB_FAKECONDA_PAYLOAD__
HEADER

{
  cat "$stage/header.sh"
  tar -C "$stage/payload" --owner=0 --group=0 --numeric-owner --sort=name \
    --mtime=@0 -cf - . | gzip -n -9
} >"$out/$name.tmp"
chmod 0755 "$out/$name.tmp"
mv "$out/$name.tmp" "$out/$name"
sha256sum "$out/$name" | awk '{ print $1 }' >"$out/$name.sha256"
echo "$out/$name"
