#!/usr/bin/env bash
# //tools/openapi:openapi_routes_test: starts the real BFF (//bff:bff) on a free loopback port,
# beside a users service address where nothing listens, and runs check_routes.js: every /api
# path of docs/api/openapi.yaml must be routed with exactly the methods it describes, and the
# operations endpoints must answer; every "/api/..." literal of bff/app/*_routes.cc (read from the
# source tree) must be a path of the description.
#
#   tools/openapi/routes_test.sh [BFF_BINARY]    by hand: defaults to bazel-bin/bff/bff
set -euo pipefail

tool_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
repo_root="$(cd "${tool_dir}/../.." && pwd -P)"

fail() {
  printf 'openapi routes: %s\n' "$*" >&2
  exit 1
}

if [[ -n "${1:-}" ]]; then
  bff="$1"
elif [[ -n "${TEST_SRCDIR:-}" ]]; then
  bff="${TEST_SRCDIR}/backoffice/bff/bff"
else
  bff="${repo_root}/bazel-bin/bff/bff"
fi
[[ -x "${bff}" ]] || fail "no BFF binary at ${bff} (bazel build //bff:bff)"
command -v node >/dev/null 2>&1 ||
  fail "node is missing: run ./dev test, which installs nodejs and npm and then tools/openapi"
"${tool_dir}/install.sh" --check ||
  fail "tools/openapi/node_modules is missing or out of date: run ./dev test" \
    "(it runs npm ci there) or tools/openapi/install.sh"

work="$(mktemp -d)"
bff_pid=""
cleanup() {
  if [[ -n "${bff_pid}" ]]; then
    kill "${bff_pid}" 2>/dev/null || true
    wait "${bff_pid}" 2>/dev/null || true
  fi
  rm -rf "${work}"
}
trap cleanup EXIT

"${bff}" --port=0 --bind_address=127.0.0.1 --users_address=127.0.0.1:1 --access_log=false \
  --static_dir="${work}/no-spa" 2>"${work}/bff.log" &
bff_pid=$!

# The BFF logs its port once it listens; give a slow machine up to 60 s.
port=""
for _ in $(seq 1 600); do
  port="$(grep -o '"msg":"bff listening".*"port":[0-9]*' "${work}/bff.log" | grep -o '[0-9]*$' ||
    true)"
  [[ -n "${port}" ]] && break
  if ! kill -0 "${bff_pid}" 2>/dev/null; then
    cat "${work}/bff.log" >&2
    fail "the BFF exited before listening"
  fi
  sleep 0.1
done
if [[ -z "${port}" ]]; then
  cat "${work}/bff.log" >&2
  fail "the BFF did not report a port within 60 s"
fi

cd "${repo_root}"
NODE_PATH="${tool_dir}/node_modules" node "${tool_dir}/check_routes.js" docs/api/openapi.yaml \
  "http://127.0.0.1:${port}" bff/app
