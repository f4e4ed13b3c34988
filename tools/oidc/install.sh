#!/usr/bin/env bash
# Installs oidc-provider, pinned in package-lock.json, into tools/oidc/node_modules with `npm ci`
# when needed (tools/npm_ci.sh). ./dev test runs it.
#
#   tools/oidc/install.sh           install when needed
#   tools/oidc/install.sh --check   exit 0 when current, 1 when not (installs nothing)
set -euo pipefail

tool_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
exec "${tool_dir}/../npm_ci.sh" "${tool_dir}" "oidc-provider/package.json" "$@"
