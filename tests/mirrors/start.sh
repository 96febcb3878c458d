#!/usr/bin/env bash
# The test run's caching mirrors, in one container (scripts/mirrors.sh up):
#   3142  apt-cacher-ng, an HTTP proxy for apt (Debian's package)
#   3141  proxpi, a PyPI caching mirror, over HTTPS (index at /index/)
#   4873  verdaccio, an npm caching registry, over HTTPS
# Caches live in /var/cache/teamhub-mirrors (a Docker volume that outlives the
# container). Upstreams come from the environment: PYPI_UPSTREAM (empty: proxpi's own
# default index), NPM_UPSTREAM, and HTTP_PROXY/HTTPS_PROXY when the host uses a proxy.
# The host's CA bundle is mounted at /etc/teamhub-mirrors/upstream-ca.pem (the
# mirrors' own downloads pass a TLS-intercepting proxy); the mirrors' test certificate
# at /etc/teamhub-mirrors/tls.
set -euo pipefail
cache=/var/cache/teamhub-mirrors
logs=/var/log/teamhub-mirrors
tls=/etc/teamhub-mirrors/tls
upstream_ca=/etc/teamhub-mirrors/upstream-ca.pem
: "${NPM_UPSTREAM:?NPM_UPSTREAM (the npm registry to mirror) is not set}"
mkdir -p "$cache/apt" "$cache/pypi" "$cache/npm" "$logs/apt"
chown -R apt-cacher-ng: "$cache/apt" "$logs/apt"
# What was in the caches when this run started: report.py counts the rest as fetched.
date +%s >"$logs/started"

trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM INT

# apt-cacher-ng's own user, its own defaults otherwise (it caches every http://
# repository it is asked for by URL).
runuser -u apt-cacher-ng -- /usr/sbin/apt-cacher-ng -c /etc/apt-cacher-ng ForeGround=1 \
  CacheDir="$cache/apt" LogDir="$logs/apt" Port=3142 BindAddress=0.0.0.0 \
  ${HTTP_PROXY:+Proxy="$HTTP_PROXY"} >"$logs/apt/stdout.log" 2>&1 &

# A download proxpi has not finished is otherwise answered with a redirect to the
# upstream file: the clients would then fetch it themselves. They wait for it here.
env PROXPI_CACHE_DIR="$cache/pypi" PROXPI_DOWNLOAD_TIMEOUT=900 \
  ${PYPI_UPSTREAM:+PROXPI_INDEX_URL="$PYPI_UPSTREAM"} \
  REQUESTS_CA_BUNDLE="$upstream_ca" \
  /opt/teamhub-mirrors/pypi/bin/gunicorn --bind 0.0.0.0:3141 --worker-class gthread --threads 16 \
  --certfile "$tls/mirror.crt" --keyfile "$tls/mirror.key" \
  --access-logfile "$logs/pypi-access.log" --error-logfile "$logs/pypi.log" proxpi.server:app &

sed "s|@UPSTREAM@|$NPM_UPSTREAM|" /opt/teamhub-mirrors/verdaccio.yaml >/run/verdaccio.yaml
NODE_EXTRA_CA_CERTS="$upstream_ca" node /opt/teamhub-mirrors/npm/node_modules/verdaccio/bin/verdaccio \
  --config /run/verdaccio.yaml >"$logs/npm.log" 2>&1 &

# One mirror dying ends the container: scripts/mirrors.sh then says which.
wait -n
echo "a mirror stopped: see $logs" >&2
exit 1
