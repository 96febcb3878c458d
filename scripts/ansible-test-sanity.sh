#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection laid out the way ansible-test
# wants it (ansible_collections/teamhub/jupyter), outside this git checkout so that
# ansible-test sees every file. No ignore files are used.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$work/ansible_collections/teamhub/jupyter
mkdir -p "$dest"
cd "$top"
# Tracked files plus new ones not ignored, as they are in the working tree.
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$dest"
# ansible-test bootstraps pip in its venvs with a script it downloads from a host
# outside the package registries; give it a local stand-in for its pip version.
pip_version=$("$top/.venv/bin/python" - <<'PY'
import re, ansible_test, pathlib
src = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", src).group(1))
PY
)
cache=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
if [ ! -s "$cache" ]; then
  mkdir -p "$(dirname "$cache")"
  cp "$top/scripts/get-pip-offline.py" "$cache"
fi
cd "$dest"
python=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
"$top/.venv/bin/ansible-test" sanity --venv --python "$python" --color no "$@"
