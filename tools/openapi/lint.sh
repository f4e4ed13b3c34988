#!/usr/bin/env bash
# Lints the BFF's OpenAPI description (docs/api/openapi.yaml) with the Redocly CLI pinned in
# tools/openapi/package-lock.json and the rules in tools/openapi/redocly.yaml. It runs offline:
# no telemetry, no update check, no remote references.
#
#   tools/openapi/lint.sh [SPEC]    SPEC defaults to docs/api/openapi.yaml
#
# Exit 0 only on a clean lint. Also the body of //tools/openapi:openapi_lint_test, which runs it
# from its runfiles: the script resolves its own symlink to find the source tree and the
# node_modules that ./dev test installs there (Bazel does not manage node_modules).
set -euo pipefail

tool_dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
repo_root="$(cd "${tool_dir}/../.." && pwd -P)"

fail() {
  printf 'openapi lint: %s\n' "$*" >&2
  exit 1
}

[[ -f "${repo_root}/WORKSPACE" ]] ||
  fail "cannot find the source tree (resolved ${tool_dir}); run it as tools/openapi/lint.sh"
command -v node >/dev/null 2>&1 ||
  fail "node is missing: run ./dev test, which installs nodejs and npm and then the linter"
if [[ ! -x "${tool_dir}/node_modules/.bin/redocly" ]]; then
  fail "tools/openapi/node_modules is missing: run ./dev test (it runs npm ci there)" \
    "or tools/openapi/install.sh"
fi
"${tool_dir}/install.sh" --check ||
  fail "tools/openapi/node_modules is out of date with package-lock.json: run ./dev test" \
    "or tools/openapi/install.sh"

spec="${1:-docs/api/openapi.yaml}"
cd "${repo_root}"
[[ -f "${spec}" ]] || fail "no such file: ${spec}"

# Redocly sends usage data unless told not to, and checks the registry for a newer CLI.
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export NO_UPDATE_NOTIFIER=1

echo "openapi lint: redocly $("${tool_dir}/node_modules/.bin/redocly" --version), node $(node --version)"
exec "${tool_dir}/node_modules/.bin/redocly" lint --config "${tool_dir}/redocly.yaml" \
  --max-problems 1000 "${spec}"
