#!/usr/bin/env bash
# Installs the admin data providers pinned in package-lock.json (ra-data-json-server,
# ra-data-simple-rest, @refinedev/simple-rest and their peers) into tools/dataproviders/node_modules
# with `npm ci`, but only when node_modules is missing or package.json, package-lock.json or .npmrc
# changed since the last install (a digest of them is kept in node_modules). ./dev test runs it.
#
#   tools/dataproviders/install.sh           install when needed
#   tools/dataproviders/install.sh --check   exit 0 when the install is current, 1 when not
set -euo pipefail

tool_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
stamp="${tool_dir}/node_modules/.backoffice-install-digest"

digest() {
  (cd "${tool_dir}" && cat package.json package-lock.json .npmrc) | sha256sum | cut -d' ' -f1
}

is_current() {
  [[ -f "${tool_dir}/node_modules/ra-data-json-server/package.json" &&
    -f "${tool_dir}/node_modules/ra-data-simple-rest/package.json" &&
    -f "${tool_dir}/node_modules/@refinedev/simple-rest/package.json" && -f "${stamp}" &&
    "$(cat "${stamp}")" == "$(digest)" ]]
}

if [[ "${1:-}" == "--check" ]]; then
  is_current
  exit
fi

if is_current; then
  echo "tools/dataproviders: node_modules is current"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "tools/dataproviders/install.sh: npm is missing" \
    "(./dev test installs Debian's nodejs and npm)" >&2
  exit 1
fi
echo "tools/dataproviders: npm ci (package-lock.json changed or node_modules missing)"
(cd "${tool_dir}" && npm ci --no-audit --no-fund)
digest >"${stamp}"
