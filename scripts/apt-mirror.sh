#!/usr/bin/env bash
# Print the Debian mirror this host's apt uses (deb822 .sources or one-line .list).
set -euo pipefail
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f"
done | grep -v -- '-security' | grep -m1 . && exit 0
grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
  grep -v -- '-security' | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' | head -1
