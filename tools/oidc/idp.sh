#!/usr/bin/env bash
# Starts the test OpenID Connect provider (idp.js) with the node on PATH and the node_modules
# that tools/oidc/install.sh (run by ./dev test) put beside idp.js's source file; arguments go
# to idp.js. Tests start it from their runfiles: the script resolves its own symlink to find
# the source tree, because Bazel does not manage node_modules.
#
#   tools/oidc/idp.sh [--port=0] [--client=ID:SECRET:PERMISSION,...] [--resource=URI ...]
set -euo pipefail

tool_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"

fail() {
  printf 'tools/oidc/idp.sh: %s\n' "$*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 ||
  fail "node is missing: run ./dev test, which installs nodejs and npm and then tools/oidc"
"${tool_dir}/install.sh" --check ||
  fail "tools/oidc/node_modules is missing or out of date with package-lock.json: run" \
    "./dev test (it runs npm ci there) or tools/oidc/install.sh"
exec node "${tool_dir}/idp.js" "$@"
