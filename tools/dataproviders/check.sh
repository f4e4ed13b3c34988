#!/usr/bin/env bash
# Runs check.mjs (the admin data providers against a running BFF) with the node on PATH and the
# node_modules that tools/dataproviders/install.sh (run by ./dev test) put beside check.mjs's
# source file; arguments go to check.mjs. Tests run it from their runfiles: the script resolves
# its own symlink to find the source tree, because Bazel does not manage node_modules.
#
#   tools/dataproviders/check.sh --url=<BFF>/api --token=<bearer> --prefix=... --seeded=N \
#     --disabled=<email> --admin-id=<id>
set -euo pipefail

tool_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"

fail() {
  printf 'tools/dataproviders/check.sh: %s\n' "$*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 ||
  fail "node is missing: run ./dev test, which installs nodejs and npm and then tools/dataproviders"
"${tool_dir}/install.sh" --check ||
  fail "tools/dataproviders/node_modules is missing or out of date with package-lock.json: run" \
    "./dev test (it runs npm ci there) or tools/dataproviders/install.sh"
exec node "${tool_dir}/check.mjs" "$@"
