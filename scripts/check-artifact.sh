#!/usr/bin/env bash
# Build the collection artifact, install it into a scratch collections path, and check
# that what a user installs works on its own: the site playbook by its collection name,
# every role, and the modules' documentation.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/.venv/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$top"
"$bin/ansible-galaxy" collection build --output-path "$work/dist" . >/dev/null
artifact=$(ls "$work"/dist/teamhub-jupyter-*.tar.gz)
"$bin/ansible-galaxy" collection install --force --no-deps -p "$work/collections" "$artifact" >/dev/null
echo "built and installed $(basename "$artifact")"
export ANSIBLE_COLLECTIONS_PATH=$work/collections
cd "$work"
"$bin/ansible-playbook" teamhub.jupyter.site -i "$top/inventories/example" --syntax-check
for module in conda_env conda_env_info kernelspec kernelspec_info run_lock; do
  "$bin/ansible-doc" -t module "teamhub.jupyter.$module" >/dev/null
  echo "ansible-doc teamhub.jupyter.$module: ok"
done
for dir in "$work"/collections/ansible_collections/teamhub/jupyter/roles/*/; do
  role=$(basename "$dir")
  "$bin/ansible-doc" -t role "teamhub.jupyter.$role" >/dev/null
  echo "ansible-doc -t role teamhub.jupyter.$role: ok"
done
