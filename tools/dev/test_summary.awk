# Counts test targets in the output of `bazel test` and prints `N passed, N failed`.
#
# Usage: awk -v bazel_rc=<exit code of bazel> -f test_summary.awk bazel_output.txt
#
# Reads Bazel's per-target summary lines, for example
#   //libs/pg:pg_test                                  PASSED in 1.2s
#   //libs/pg:pool_test                       (cached) PASSED in 0.4s
#   //services/users:store_test                        FAILED in 3.0s
#   //services/audit:chain_test                       TIMEOUT in 60.0s
#   //bff:router_test                                NO STATUS
#   //bff:sse_test                             FAILED TO BUILD
# A target counts as passed only when its status is PASSED; any other status (FAILED, TIMEOUT,
# NO STATUS, FAILED TO BUILD, FLAKY, INCOMPLETE, ...) counts as failed. Test logs that Bazel
# prints between "==== Test output for" and a line of "=" are skipped, so a test that prints a
# line looking like a summary line cannot change the count.
#
# When Bazel failed (bazel_rc not 0) but no target failed, for example a BUILD file that does not
# parse or a library that no test depends on does not compile, the failure of the build itself
# counts as one failed target. Exit code 4 ("no test targets were found") is not a failure.
#
# Exit status: 0 when nothing failed, 1 otherwise. Written for POSIX awk (Debian's mawk).

BEGIN {
  in_test_log = 0
  order = 0
}

{
  line = $0
  gsub(/\033\[[0-9;]*[A-Za-z]/, "", line)  # Colors, if Bazel was asked for them.
  sub(/\r$/, "", line)
}

in_test_log {
  if (line ~ /^================================================================================$/) {
    in_test_log = 0
  }
  next
}

line ~ /^==================== Test output for / {
  in_test_log = 1
  next
}

# A summary line: a label, spaces, an optional "(cached)", then an upper-case status.
line ~ /^(\/\/|@)[^ ]*:[^ ]+ +(\(cached\) +)?[A-Z]/ {
  label = line
  sub(/ .*$/, "", label)
  status = line
  sub(/^[^ ]+ +/, "", status)
  sub(/^\(cached\) +/, "", status)
  if (!(label in result)) {
    labels[++order] = label
  }
  result[label] = (status ~ /^PASSED( |$)/) ? "passed" : "failed"
}

END {
  passed = 0
  failed = 0
  for (i = 1; i <= order; i++) {
    if (result[labels[i]] == "passed") {
      passed++
    } else {
      failed++
    }
  }
  rc = bazel_rc + 0
  if (rc != 0 && rc != 4 && failed == 0) {
    failed = 1
  }
  printf "%d passed, %d failed\n", passed, failed
  exit (failed == 0) ? 0 : 1
}
