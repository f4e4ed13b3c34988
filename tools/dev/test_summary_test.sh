#!/usr/bin/env bash
# Checks test_summary.awk against real `bazel test` output saved in testdata/ (paths shortened)
# and one synthetic file with the rarer statuses (FLAKY, INCOMPLETE, colors, a test log that
# prints a line looking like a summary line).
set -euo pipefail

if [[ -n "${TEST_SRCDIR:-}" ]]; then
  dir="${TEST_SRCDIR}/${TEST_WORKSPACE:-backoffice}/tools/dev"
else
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fi

failures=0

# expect <bazel exit code> <input file> <expected line> <expected exit status>
expect() {
  local rc="$1" input="$2" want_line="$3" want_status="$4" got_line got_status=0
  got_line="$(awk -v bazel_rc="${rc}" -f "${dir}/test_summary.awk" "${input}")" || got_status=$?
  if [[ "${got_line}" != "${want_line}" || "${got_status}" != "${want_status}" ]]; then
    echo "FAIL: $(basename "${input}") rc=${rc}: got '${got_line}' (exit ${got_status}), want '${want_line}' (exit ${want_status})"
    failures=$((failures + 1))
  else
    echo "ok:   $(basename "${input}") rc=${rc}: ${got_line}"
  fi
}

expect 0 "${dir}/testdata/cached_pass.txt" "2 passed, 0 failed" 0
# Every test passed but Bazel failed (a non-test target did not build): the build counts.
expect 1 "${dir}/testdata/cached_pass.txt" "2 passed, 1 failed" 1
expect 1 "${dir}/testdata/keep_going_mixed.txt" "2 passed, 3 failed" 1
expect 1 "${dir}/testdata/no_keep_going.txt" "1 passed, 4 failed" 1
# A BUILD file that does not parse: no summary lines at all.
expect 1 "${dir}/testdata/analysis_error.txt" "0 passed, 1 failed" 1
expect 3 "${dir}/testdata/synthetic_statuses.txt" "2 passed, 2 failed" 1
# Bazel's exit code 4: the build succeeded and there was no test target.
expect 4 /dev/null "0 passed, 0 failed" 0
expect 0 /dev/null "0 passed, 0 failed" 0
expect 2 /dev/null "0 passed, 1 failed" 1

if ((failures > 0)); then
  echo "${failures} case(s) failed"
  exit 1
fi
