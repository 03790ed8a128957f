#!/usr/bin/env bash
# Debian packages the test suite drives for real: chromium (browser tests), postgresql
# (the production database), nginx and pgbouncer (the production stack of deploy/, started
# by deploy/stack.py in tests/test_deployment.py), and nodejs + npm (the OpenID Connect
# provider of tests/oidc/, whose npm package `make test` installs with `npm ci`). Installed
# only when missing; never a browser download.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
[ -x /usr/sbin/nginx ] || need+=(nginx)
[ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
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
# The packages just installed may start services of their own (a cluster on 5432, nginx on
# 80, PgBouncer on 6432): the tests start their own on free loopback ports, so those are
# stopped and kept from starting at boot (services that were there before are left alone).
for service in "${need[@]}"; do
  case "$service" in nginx|pgbouncer|postgresql) ;; *) continue ;; esac
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
    "${sudo[@]}" systemctl disable --now "$service" >/dev/null 2>&1 || true
  elif command -v service >/dev/null && service "$service" status >/dev/null 2>&1; then
    "${sudo[@]}" service "$service" stop >/dev/null 2>&1 || true
  fi
done
