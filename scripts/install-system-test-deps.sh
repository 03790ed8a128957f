#!/usr/bin/env bash
# Debian packages the test suite drives for real: chromium (browser tests), postgresql
# (the production database), and nodejs + npm (the OpenID Connect provider of
# tests/oidc/, whose npm package `make test` installs with `npm ci`). Installed only when
# missing; never a browser download.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
[ ${#need[@]} -eq 0 ] && exit 0

echo "Installation des paquets Debian manquants : ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
  echo "Impossible d'installer ${need[*]} sans droits root." >&2
  # In CI a missing part fails the run; elsewhere the tests that need it are skipped.
  [ "${CI:-}" = "true" ] && exit 1 || exit 0
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The package may start a cluster of its own; the tests start their own throw-away one.
