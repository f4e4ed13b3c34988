#!/usr/bin/env bash
# Installs the admin data providers pinned in package-lock.json (ra-data-json-server,
# ra-data-simple-rest, @refinedev/simple-rest and their peers) into tools/dataproviders/node_modules
# with `npm ci` when needed (tools/npm_ci.sh). ./dev test runs it.
#
#   tools/dataproviders/install.sh           install when needed
#   tools/dataproviders/install.sh --check   exit 0 when current, 1 when not (installs nothing)
set -euo pipefail

tool_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
exec "${tool_dir}/../npm_ci.sh" "${tool_dir}" "ra-data-json-server/package.json,ra-data-simple-rest/package.json,@refinedev/simple-rest/package.json" "$@"
