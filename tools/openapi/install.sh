#!/usr/bin/env bash
# Installs the Redocly CLI, pinned in package-lock.json, into tools/openapi/node_modules with
# `npm ci` when needed (tools/npm_ci.sh). ./dev test runs it.
#
#   tools/openapi/install.sh           install when needed
#   tools/openapi/install.sh --check   exit 0 when current, 1 when not (installs nothing)
set -euo pipefail

tool_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
exec "${tool_dir}/../npm_ci.sh" "${tool_dir}" ".bin/redocly" "$@"
