#!/usr/bin/env bash
# The caching mirrors of the test run (tests/mirrors): apt-cacher-ng for Debian's
# packages, proxpi for PyPI and verdaccio for npm, in one container on their own Docker
# network. The test containers join that network and reach the mirrors through the
# collection's own settings (network_apt_proxy, network_pip_index_url,
# network_npm_registry, and the mirrors' test CA through network_ca_certificates), so
# each package is downloaded once per run, not once per container, and the mirror
# settings users rely on behind slow networks are exercised on every run.
#
#   scripts/mirrors.sh run COMMAND...   start the mirrors, run COMMAND with the settings
#                                       below in its environment, report the caches'
#                                       hits and stop the mirrors (whatever COMMAND did)
#   scripts/mirrors.sh up | down | report | image
#
# Settings COMMAND gets (read by molecule/shared and every scenario's group_vars):
#   TEAMHUB_MIRROR_NETWORK  the Docker network the test containers join
#   TEAMHUB_MIRROR_CONTAINER the mirrors' container (the tests read its logs)
#   TEAMHUB_APT_PROXY, TEAMHUB_PIP_INDEX_URL, TEAMHUB_NPM_REGISTRY
#   TEAMHUB_CA_BUNDLE       this host's CA bundle plus the mirrors' test CA
#
# Upstreams are read from this host's own configuration: pip's index-url (none: proxpi's
# default index), npm's registry, the http(s)_proxy environment. The caches stay in the
# Docker volume teamhub-mirrors-cache between runs (docker volume rm it to start cold).
# TEAMHUB_MIRRORS=0 makes `run` run COMMAND without mirrors.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/tests/mirrors
state=$top/.build/mirrors
name=teamhub-mirrors
network=teamhub-mirrors
volume=teamhub-mirrors-cache
base=teamhub/debian:12
host_ca=${TEAMHUB_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
# The image is named after its sources: a change to tests/mirrors builds a new one.
tag=teamhub/mirrors:$(cd "$top" && cat tests/mirrors/install.sh tests/mirrors/start.sh tests/mirrors/requirements.txt \
  tests/mirrors/verdaccio.yaml tests/mirrors/npm/package-lock.json | sha256sum | cut -c1-12)

say() { echo "mirrors: $*" >&2; }
die() {
  say "$*"
  exit 1
}

image() {
  if docker image inspect "$tag" >/dev/null 2>&1; then return 0; fi
  "$top/scripts/build-base-image.sh" bookworm >&2
  say "building $tag (about two minutes)"
  local stage builder index
  stage=$(mktemp -d)
  builder=$name-build-$$
  # shellcheck disable=SC2064 # expand now: the names are fixed
  trap "rm -rf '$stage'; docker rm -f '$builder' >/dev/null 2>&1 || true" EXIT
  # verdaccio from its lock file, with this host's npm and its registry settings.
  cp "$src/npm/package.json" "$src/npm/package-lock.json" "$stage/"
  (cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 ||
    die "npm ci of tests/mirrors/npm failed (output above)"
  index=$(pip config get global.index-url 2>/dev/null || true)
  docker run -d --pull never --name "$builder" -v "$host_ca:/etc/teamhub-mirrors/upstream-ca.pem:ro" \
    ${http_proxy:+-e http_proxy="$http_proxy"} ${https_proxy:+-e https_proxy="$https_proxy"} \
    -e PIP_CERT=/etc/teamhub-mirrors/upstream-ca.pem ${index:+-e PIP_INDEX_URL="$index"} \
    "$base" sleep infinity >/dev/null
  docker exec "$builder" mkdir -p /opt/teamhub-mirrors/npm
  for f in install.sh start.sh requirements.txt verdaccio.yaml; do
    docker cp -q "$src/$f" "$builder:/opt/teamhub-mirrors/$f"
  done
  tar -C "$stage" -c node_modules | docker exec -i "$builder" tar -C /opt/teamhub-mirrors/npm -x
  docker exec "$builder" /opt/teamhub-mirrors/install.sh >&2 || die "installing the mirrors in $builder failed (output above)"
  docker commit --change 'CMD ["/opt/teamhub-mirrors/start.sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    "$builder" "$tag" >/dev/null
  docker rm -f "$builder" >/dev/null
  rm -rf "$stage"
  trap - EXIT
  say "built $tag"
}

# A test CA and the mirrors' certificate for the names the clients use. The key never
# leaves this host's .build directory and the container.
certificates() {
  local tls=$state/tls
  [ -s "$tls/mirror.crt" ] && [ -s "$tls/ca.crt" ] && return 0
  mkdir -p "$tls"
  chmod 0700 "$tls"
  (
    cd "$tls"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=TeamHub test mirrors CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout mirror.key -out mirror.csr 2>/dev/null
    printf 'subjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$name" >ext.cnf
    openssl x509 -req -in mirror.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile ext.cnf \
      -out mirror.crt 2>/dev/null
    rm -f mirror.csr ext.cnf ca.srl ca.key
    chmod 0644 ca.crt mirror.crt
  )
}

up() {
  image
  certificates
  local npm_upstream
  npm_upstream=${TEAMHUB_NPM_UPSTREAM:-$(npm config get registry 2>/dev/null || true)}
  [ -n "$npm_upstream" ] || die "no npm registry in this host's npm configuration; set TEAMHUB_NPM_UPSTREAM"
  docker network inspect "$network" >/dev/null 2>&1 ||
    docker network create --label teamhub=mirrors "$network" >/dev/null
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --pull never --name "$name" --hostname "$name" --network "$network" --label teamhub=mirrors \
    -v "$volume:/var/cache/teamhub-mirrors" \
    -v "$host_ca:/etc/teamhub-mirrors/upstream-ca.pem:ro" -v "$state/tls:/etc/teamhub-mirrors/tls:ro" \
    -e NPM_UPSTREAM="$npm_upstream" -e PYPI_UPSTREAM="$(pip config get global.index-url 2>/dev/null || true)" \
    ${http_proxy:+-e HTTP_PROXY="$http_proxy"} ${https_proxy:+-e HTTPS_PROXY="$https_proxy"} \
    "$tag" >/dev/null
  # Ready when each answers inside the container, over TLS checked against the test CA.
  local deadline=$((SECONDS + 120))
  until docker exec "$name" python3 - <<'EOF' 2>/dev/null; do
import ssl, urllib.request
ctx = ssl.create_default_context(cafile="/etc/teamhub-mirrors/tls/ca.crt")
urllib.request.urlopen("http://127.0.0.1:3142/acng-report.html", timeout=5)
urllib.request.urlopen("https://localhost:3141/", timeout=5, context=ctx)
urllib.request.urlopen("https://localhost:4873/-/ping", timeout=5, context=ctx)
EOF
    if [ "$(docker container inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != true ] || [ "$SECONDS" -ge "$deadline" ]; then
      docker logs --tail 20 "$name" >&2 || true
      docker exec "$name" sh -c 'tail -n 5 /var/log/teamhub-mirrors/*.log /var/log/teamhub-mirrors/apt/*.log' >&2 || true
      die "the mirrors did not start (container $name)"
    fi
    sleep 1
  done
  cat "$host_ca" "$state/tls/ca.crt" >"$state/ca-bundle.pem"
  cat >"$state/env" <<EOF
TEAMHUB_MIRROR_NETWORK=$network
TEAMHUB_MIRROR_CONTAINER=$name
TEAMHUB_APT_PROXY=http://$name:3142
TEAMHUB_PIP_INDEX_URL=https://$name:3141/index/
TEAMHUB_NPM_REGISTRY=https://$name:4873/
TEAMHUB_CA_BUNDLE=$state/ca-bundle.pem
EOF
  say "up on Docker network $network: $(tr '\n' ' ' <"$state/env")"
}

# The mirrors' logs and the files their caches fetched during this run go to
# .build/mirrors/logs; tests/mirrors/report.py counts from them.
report() {
  rm -rf "$state/logs"
  mkdir -p "$state/logs"
  docker exec "$name" tar -C /var/log/teamhub-mirrors -c . | tar -C "$state/logs" -x
  docker exec "$name" find /var/cache/teamhub-mirrors -type f -newer /var/log/teamhub-mirrors/started \
    -printf '%s %P\n' >"$state/logs/fetched.txt"
  python3 "$src/report.py" "$state/logs"
}

down() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  # The network goes once no test container is attached any more.
  docker network rm "$network" >/dev/null 2>&1 || true
  rm -f "$state/env"
}

run() {
  [ $# -gt 0 ] || die "run needs a command"
  if [ "${TEAMHUB_MIRRORS:-1}" = 0 ]; then
    say "TEAMHUB_MIRRORS=0: running without the caching mirrors"
    exec "$@"
  fi
  up
  local rc=0
  (
    set -a
    # shellcheck source=/dev/null
    . "$state/env"
    set +a
    "$@"
  ) || rc=$?
  echo "=== caching mirrors of this run"
  report || say "no report: the mirrors container is gone"
  down
  return "$rc"
}

case "${1:-}" in
  run) shift; run "$@" ;;
  up) up ;;
  down) down ;;
  report) report ;;
  image) image ;;
  *) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
