#!/usr/bin/env bash
# The browser tests' tools, installed by `make test` itself: Debian's chromium (headless
# pages), a Java runtime (the Nu HTML validator) and the npm packages pinned in
# package-lock.json (axe-core, vnu-jar). Quiet and quick when everything is there already.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "make test: installing Debian packages for the browser tests: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "make test: the browser tests need ${need[*]} (headless pages, the Nu validator, axe-core); on Debian: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi

# npm ci again only when package-lock.json changed since the last install.
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "make test: installing axe-core and vnu-jar from package-lock.json (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" > "$stamp"
fi
