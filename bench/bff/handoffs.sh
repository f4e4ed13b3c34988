#!/usr/bin/env bash
# bench/bff/handoffs.sh: thread hand-offs per GET /api/users/{id}, by --downstream_connections.
#
#   bench/bff/handoffs.sh            # settings 1 and 4
#   SETTINGS="1 2 4 8" bench/bff/handoffs.sh
#
# For each setting, runs bench/bff/run.sh (get_user only, 10,000 users, 12 s) and, 7 s into the
# measured run, records for 1 s with `perf record -e syscalls:sys_enter_futex` (with call stacks)
# in the users service and in the bff, counting also the calls that send (users: libpq's sendto,
# one per GetUser; bff: sendmsg). A futex call whose stack passes through grpc_core::Executor::Run
# is gRPC handing work to its executor thread (a contended connection lock), i.e. a thread switch.
# Counts, unlike req/s, barely depend on what else the machine runs. Needs `perf` (linux-perf).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
SETTINGS="${SETTINGS:-1 4}"
OUT="$(mktemp -d /tmp/bff-handoffs.XXXXXX)"
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 1; }

# count FILE WHO SETTING: one line of counts from a perf data file.
count() {
  perf script -i "$1" 2>/dev/null | awk -v who="$2" -v setting="$3" '
    function tally() { if (kind == "send") sends++; else if (kind == "futex") { futex++; if (offload) offloads++ } }
    /sys_enter_sendto|sys_enter_sendmsg/ { tally(); kind = "send"; offload = 0; next }
    /sys_enter_futex/ { tally(); kind = "futex"; offload = 0; next }
    /Executor::Run/ { offload = 1 }
    END {
      tally()
      printf "| %s | %s | %d | %d | %d | %.2f | %.2f |\n", who, setting, sends, futex, offloads,
        futex / sends, offloads / sends
    }'
}

echo "| process | --downstream_connections | sends | futex calls | via Executor::Run | futex per send | hand-offs per send |"
echo "|---|--:|--:|--:|--:|--:|--:|"
for setting in ${SETTINGS}; do
  log="${OUT}/run-${setting}.log"
  USERS=10000 SCENARIOS=get_user WARMUP=1s DURATION=12s REVOKE_ROUNDS=1 \
    DOWNSTREAM_CONNECTIONS="${setting}" RESULTS="${OUT}/report-${setting}.md" \
    "${REPO_ROOT}/bench/bff/run.sh" >"${log}" 2>&1 &
  run=$!
  for _ in $(seq 1 600); do
    grep -q "==> get_user" "${log}" && break
    kill -0 "${run}" 2>/dev/null || { tail -n 20 "${log}" >&2; exit 1; }
    sleep 1
  done
  sleep 7
  users_pid="$(pgrep -f "bff-bench[.].*/bin/users_service" | head -n 1)"
  bff_pid="$(pgrep -f "bff-bench[.].*/bin/bff .*--service_key_file" | head -n 1)"
  perf record -e syscalls:sys_enter_futex -e syscalls:sys_enter_sendto --call-graph dwarf,8192 \
    -p "${users_pid}" -o "${OUT}/users-${setting}.data" -- sleep 1 >/dev/null 2>&1
  perf record -e syscalls:sys_enter_futex -e syscalls:sys_enter_sendmsg --call-graph dwarf,8192 \
    -p "${bff_pid}" -o "${OUT}/bff-${setting}.data" -- sleep 1 >/dev/null 2>&1
  wait "${run}" || { tail -n 20 "${log}" >&2; exit 1; }
  count "${OUT}/users-${setting}.data" users_service "${setting}"
  count "${OUT}/bff-${setting}.data" bff "${setting}"
done
rm -rf "${OUT}"
