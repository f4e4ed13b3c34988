#!/usr/bin/env bash
# tools/npm_ci.sh DIR MARKERS [--check]: the npm packages a test tool pins in DIR/package-lock.json,
# installed into DIR/node_modules with `npm ci`, but only when node_modules is missing or
# package.json, package-lock.json or .npmrc changed since the last install (a digest of them is
# kept in node_modules). MARKERS: comma-separated paths under node_modules that an install has
# (e.g. oidc-provider/package.json). With --check: exit 0 when the install is current, 1 when not,
# installing nothing. Each tool's install.sh calls this; ./dev test runs those.
set -euo pipefail

tool_dir="$1"
markers="$2"
mode="${3:-}"
name="tools/$(basename "${tool_dir}")"
stamp="${tool_dir}/node_modules/.backoffice-install-digest"

digest() {
  (cd "${tool_dir}" && cat package.json package-lock.json .npmrc) | sha256sum | cut -d' ' -f1
}

is_current() {
  local marker
  IFS=',' read -r -a marker_list <<<"${markers}"
  for marker in "${marker_list[@]}"; do
    [[ -e "${tool_dir}/node_modules/${marker}" ]] || return 1
  done
  [[ -f "${stamp}" && "$(cat "${stamp}")" == "$(digest)" ]]
}

if [[ "${mode}" == "--check" ]]; then
  is_current
  exit
fi

if is_current; then
  echo "${name}: node_modules is current"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "${name}/install.sh: npm is missing (./dev test installs Debian's nodejs and npm)" >&2
  exit 1
fi
echo "${name}: npm ci (package-lock.json changed or node_modules missing)"
(cd "${tool_dir}" && npm ci --no-audit --no-fund)
digest >"${stamp}"
