#!/usr/bin/env bash
# Build the binaries the `tailscale` molecule scenario runs a real tailnet with,
# from source through Go's module proxy (Tailscale's download site is not needed):
#
#   tailscale + tailscaled  (tailscale.com/cmd/...)       -> a static tarball laid out
#                                                            like Tailscale's own
#   headscale               (github.com/juanfont/headscale/cmd/headscale)
#
#   scripts/build-tailnet-fixtures.sh           build what is missing, print the paths
#   scripts/build-tailnet-fixtures.sh --json    the same, paths as one JSON object
#
# Everything goes to a cache outside the checkout and is reused between runs:
#   ${TEAMHUB_TAILNET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/teamhub/tailnet}/
#     tailscale/<version>/tailscale_<version>_<arch>.tgz
#     headscale/<version>/headscale
# FORCE=1 rebuilds. Builds run under `nice -n 19`; their wall time is printed.
# The module proxy is whatever `go env GOPROXY` says (set GOPROXY to use a mirror).
set -euo pipefail

TAILSCALE_VERSION=${TAILSCALE_VERSION:-1.98.10}
HEADSCALE_VERSION=${HEADSCALE_VERSION:-0.29.1}
cache=${TEAMHUB_TAILNET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/teamhub/tailnet}

json=0
case "${1:-}" in
  --json) json=1 ;;
  "") ;;
  *) echo "usage: $0 [--json]" >&2; exit 2 ;;
esac

go=${GO:-$(command -v go || true)}
[ -n "$go" ] || go=/usr/local/go/bin/go
if [ ! -x "$go" ]; then
  echo "no Go toolchain found (set GO=/path/to/go)" >&2
  exit 1
fi
arch=$("$go" env GOARCH)

log() { echo "$*" >&2; }

# One build at a time per cache (two scenario runs may start together).
mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9; then
  log "waiting for another build in $cache"
  flock 9
fi

# retry CMD...: run CMD up to 3 times. Go's client gives a TLS handshake 10 s, which a
# loaded machine behind an intercepting proxy sometimes needs more than; what was
# downloaded stays in the module cache, so a retry resumes.
retry() {
  local try
  for try in 1 2 3; do
    "$@" && return 0
    [ "$try" = 3 ] || { log "failed (try $try of 3), trying again in $((try * 10)) s: $*"; sleep $((try * 10)); }
  done
  return 1
}

# go_build MODULE_PACKAGE VERSION DEST_DIR: `go install` one command into DEST_DIR.
go_build() {
  local pkg=$1 version=$2 dest=$3 start end
  start=$(date +%s)
  log "building $pkg@v$version (nice -n 19, proxy $("$go" env GOPROXY))"
  GOBIN=$dest CGO_ENABLED=0 retry nice -n 19 "$go" install -trimpath -ldflags='-s -w' "$pkg@v$version"
  end=$(date +%s)
  log "built $pkg in $((end - start)) s"
}

ts_dir=$cache/tailscale/$TAILSCALE_VERSION
ts_name=tailscale_${TAILSCALE_VERSION}_${arch}
ts_tgz=$ts_dir/$ts_name.tgz
if [ "${FORCE:-0}" = 1 ] || [ ! -s "$ts_tgz" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/teamhub-tailnet.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/$ts_name/systemd" "$ts_dir"
  go_build tailscale.com/cmd/tailscale "$TAILSCALE_VERSION" "$work/$ts_name"
  go_build tailscale.com/cmd/tailscaled "$TAILSCALE_VERSION" "$work/$ts_name"
  # The official static tarballs carry the upstream unit and defaults file next to
  # the binaries; take them from the module that was just built.
  src=$("$go" env GOMODCACHE)/tailscale.com@v$TAILSCALE_VERSION/cmd/tailscaled
  for f in tailscaled.service tailscaled.defaults; do
    if [ -f "$src/$f" ]; then
      install -m 0644 "$src/$f" "$work/$ts_name/systemd/$f"
    fi
  done
  tar -C "$work" -czf "$work/$ts_name.tgz" "$ts_name"
  mv "$work/$ts_name.tgz" "$ts_tgz"
  rm -rf "$work"
  trap - EXIT
else
  log "tailscale $TAILSCALE_VERSION: cached ($ts_tgz)"
fi

hs_dir=$cache/headscale/$HEADSCALE_VERSION
hs_bin=$hs_dir/headscale
if [ "${FORCE:-0}" = 1 ] || [ ! -x "$hs_bin" ]; then
  mkdir -p "$hs_dir"
  # `go install headscale@version` asks the proxy for the module's version list (for
  # deprecation notices), which a proxy may refuse; build inside the downloaded module
  # instead, with its own go.mod and go.sum.
  start=$(date +%s)
  log "building github.com/juanfont/headscale/cmd/headscale@v$HEADSCALE_VERSION (nice -n 19, proxy $("$go" env GOPROXY))"
  hs_src=$(retry "$go" mod download -json "github.com/juanfont/headscale@v$HEADSCALE_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$hs_src" ] || { log "could not download headscale v$HEADSCALE_VERSION"; exit 1; }
  (cd "$hs_src" && CGO_ENABLED=0 retry nice -n 19 "$go" build -mod=readonly -trimpath \
    -ldflags="-s -w -X main.version=v$HEADSCALE_VERSION" -o "$hs_bin.tmp" ./cmd/headscale)
  mv "$hs_bin.tmp" "$hs_bin"
  log "built headscale in $(($(date +%s) - start)) s"
else
  log "headscale $HEADSCALE_VERSION: cached ($hs_bin)"
fi

if [ "$json" = 1 ]; then
  printf '{"tailscale_version": "%s", "tailscale_tarball": "%s", "headscale_version": "%s", "headscale_binary": "%s"}\n' \
    "$TAILSCALE_VERSION" "$ts_tgz" "$HEADSCALE_VERSION" "$hs_bin"
else
  echo "TAILSCALE_TARBALL=$ts_tgz"
  echo "HEADSCALE_BINARY=$hs_bin"
fi
