#!/usr/bin/env bash
# bench/users/run.sh: the users service benchmark in one command (see bench/README.md).
#
#   bench/users/run.sh                     # 1,000,000 users, 32 callers, 2 s warm-up + 10 s each
#   USERS=100000 DURATION=5s bench/users/run.sh
#
# Builds the services and the driver with Bazel, starts a throwaway PostgreSQL 15 cluster in a
# temporary folder on a free loopback port (as the postgres user when run as root), starts the
# real users_service against it and the real roles_service beside it (users authorizes every
# call through roles and caches the answers while its permission watch is open: bench/lib/stack.sh),
# seeds USERS users with one INSERT ... SELECT generate_series
# (services/users/store/testing/seed_users.sql), VACUUM ANALYZEs, runs the load driver
# (bench/users/users_bench.cc, which logs in through the Login RPC), EXPLAINs the SQL of the list
# scenarios, and writes a Markdown report to RESULTS (printed at the end too).
#
# Everything it started is stopped, and the temporary folder deleted, on success, failure,
# Ctrl-C or when TIME_LIMIT runs out.
#
# Settings (environment):
#   USERS=1000000          users to seed
#   WARMUP=2s DURATION=10s warm-up and measured window of each scenario
#   CONCURRENCY=32         concurrent callers (threads) per scenario; CHANNELS=4 connections
#   LOGIN_CONCURRENCY=4    concurrent callers of the login scenario
#   SCENARIOS=...          comma-separated subset (default: all, see users_bench --help)
#   QUERY='99@'            text query of list_query (matches 1% of seeded emails)
#   DEEP_ROWS=10000        depth of the deep page
#   DISABLED_EVERY=20 DELETED_EVERY=100   every n-th seeded user disabled / soft-deleted
#   SHARED_BUFFERS=256MB   PostgreSQL shared_buffers (fsync and synchronous_commit stay on)
#   DB_POOL_SIZE=16        each service's --db_pool_size
#   TIME_LIMIT=3600        seconds the whole run may take, build included
#   RESULTS=/tmp/users_bench_<time>.md   where the report goes
#   BUILD=1                0: use the binaries already in bazel-bin
#   KEEP_TMP=0             1: keep the temporary folder (logs, data) for inspection
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
readonly REPO_ROOT
BENCH_NAME="users bench"
TIME_LIMIT="${TIME_LIMIT:-3600}"
# The shared stack: trap and time limit, build, PostgreSQL, users + roles services.
# shellcheck source=bench/lib/stack.sh
source "${REPO_ROOT}/bench/lib/stack.sh"

USERS="${USERS:-1000000}"
WARMUP="${WARMUP:-2s}"
DURATION="${DURATION:-10s}"
CONCURRENCY="${CONCURRENCY:-32}"
CHANNELS="${CHANNELS:-4}"
LOGIN_CONCURRENCY="${LOGIN_CONCURRENCY:-4}"
SCENARIOS="${SCENARIOS:-}"
QUERY="${QUERY:-99@}"
DEEP_ROWS="${DEEP_ROWS:-10000}"
DISABLED_EVERY="${DISABLED_EVERY:-20}"
DELETED_EVERY="${DELETED_EVERY:-100}"
RESULTS="${RESULTS:-/tmp/users_bench_$(date -u +%Y%m%dT%H%M%SZ).md}"

QUERIES_DIR="${REPO_ROOT}/services/users/store/queries"

require_whole_numbers USERS CONCURRENCY CHANNELS LOGIN_CONCURRENCY DEEP_ROWS DISABLED_EVERY \
  DELETED_EVERY DB_POOL_SIZE TIME_LIMIT
((USERS > DEEP_ROWS + 100)) || fail "USERS must exceed DEEP_ROWS + 100"

stack_begin
stack_build //services/users:users_service //services/roles:roles_service \
  //bench/users:users_bench //bench/users:explain_script
pg_start
# users authorizes every call through roles (its cache kept exact by a permission watch).
start_users_and_roles
SERVICE_PID="${USERS_PID}"
ADMIN_PORT="${USERS_ADMIN_PORT}"
GRPC_PORT="${USERS_GRPC_PORT}"

# ---- Seed ----------------------------------------------------------------------------------------
info "seeding ${USERS} users (one INSERT ... SELECT generate_series), then VACUUM ANALYZE [$(elapsed)]"
seed_started=${SECONDS}
seed_users "${USERS}" "${DISABLED_EVERY}" "${DELETED_EVERY}"
seed_insert_seconds=${SEED_SECONDS}
step psql_super users -c "VACUUM (ANALYZE) users" -c "CHECKPOINT" || fail "VACUUM ANALYZE failed"
seed_seconds=$((SECONDS - seed_started))
info "seeded in ${seed_insert_seconds} s, VACUUM ANALYZE + CHECKPOINT done after ${seed_seconds} s"

psql_super users -At -c "COPY (SELECT id FROM users ORDER BY random() LIMIT 100000) TO STDOUT" \
  >"${TMP_DIR}/ids.txt"
# The last row before the deep page (the keyset position its page token holds).
DEEP_ROW="$(psql_super users -At -F ' ' -c "
  SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id
  FROM users WHERE status <> 'deleted'
  ORDER BY created_at DESC, id DESC OFFSET $((DEEP_ROWS - 1)) LIMIT 1")"
read -r DEEP_TIME DEEP_ID <<<"${DEEP_ROW}"
[[ -n "${DEEP_ID:-}" ]] || fail "could not find row ${DEEP_ROWS} of the listing"
TABLE_SIZES="$(psql_super users -At -F ' | ' -c "
  SELECT count(*), pg_size_pretty(pg_table_size('users')),
         pg_size_pretty(pg_indexes_size('users'))
  FROM users")"

# ---- Load ----------------------------------------------------------------------------------------
BUSY_BEFORE="$(busy_processes)"
UPTIME_BEFORE="$(uptime)"
info "running the driver [$(elapsed)]; load: ${UPTIME_BEFORE##*load}"
DRIVER_ARGS=(
  --target="127.0.0.1:${GRPC_PORT}" --email="${ADMIN_EMAIL}"
  --password_file="${ADMIN_PASSWORD_FILE}" --ids_file="${TMP_DIR}/ids.txt"
  --concurrency="${CONCURRENCY}" --channels="${CHANNELS}"
  --login_concurrency="${LOGIN_CONCURRENCY}" --warmup="${WARMUP}" --duration="${DURATION}"
  --deep_rows="${DEEP_ROWS}" --query="${QUERY}"
)
if [[ -n "${SCENARIOS}" ]]; then
  DRIVER_ARGS+=(--scenarios="${SCENARIOS}")
fi
# Two passes: throughput with CONCURRENCY callers (the machine saturated), then latency with one
# caller (no queueing in front of the service).
driver_rc=0
step "${TMP_DIR}/bin/users_bench" "${DRIVER_ARGS[@]}" >"${TMP_DIR}/table.md" || driver_rc=$?
((driver_rc == 0 || driver_rc == 3)) || fail "the driver failed (exit ${driver_rc})"
UPTIME_MIDDLE="$(uptime)"
BUSY_MIDDLE="$(busy_processes)"
info "one caller at a time [$(elapsed)]; load: ${UPTIME_MIDDLE##*load}"
single_rc=0
step "${TMP_DIR}/bin/users_bench" "${DRIVER_ARGS[@]}" --concurrency=1 --channels=1 \
  --login_concurrency=1 >"${TMP_DIR}/table_single.md" || single_rc=$?
((single_rc == 0 || single_rc == 3)) || fail "the driver failed (exit ${single_rc})"
((single_rc == 0)) || driver_rc=${single_rc}
UPTIME_AFTER="$(uptime)"
BUSY_AFTER="$(busy_processes)"

SERVICE_RSS="$(process_memory "${SERVICE_PID}")"
ROLES_RSS="$(process_memory "${ROLES_PID}")"
ROLES_PERMISSION_CALLS="$(grpc_calls "${ROLES_ADMIN_PORT}" GetEffectivePermissions)"
METRICS_RSS="$(curl -fsS "http://127.0.0.1:${ADMIN_PORT}/metrics" 2>/dev/null |
  awk '/^process_resident_memory_bytes/ {printf "%.1f MiB", $2 / 1048576}')"

# ---- EXPLAIN -------------------------------------------------------------------------------------
info "EXPLAIN (ANALYZE, BUFFERS) of the scenarios' SQL [$(elapsed)]"
BATCH_IDS="{$(head -n 100 "${TMP_DIR}/ids.txt" | paste -sd, -)}"
{
  # GetUser and BatchGetUsers: the store's fixed statements, read from their files.
  echo '\pset pager off'
  for spec in "get_user|select_user.sql|'$(head -n 1 "${TMP_DIR}/ids.txt")'" \
    "batch_get|select_users_by_ids.sql|'${BATCH_IDS}'"; do
    IFS='|' read -r name file value <<<"${spec}"
    execute="EXECUTE ${name}(${value});"
    printf '%s\n' '\echo' "\\echo '#### ${name}: ${file}'" '\set ECHO queries' \
      "PREPARE ${name} AS $(cat "${QUERIES_DIR}/${file}");" '\set ECHO none' \
      "\\echo '-- first execution (custom plan):'" "EXPLAIN (ANALYZE, BUFFERS) ${execute}" \
      '\o /dev/null' "${execute}" "${execute}" "${execute}" "${execute}" "${execute}" '\o' \
      "\\echo '-- 7th execution (the plan the service keeps, plan_cache_mode = auto):'" \
      "EXPLAIN (ANALYZE, BUFFERS) ${execute}" "DEALLOCATE ${name};"
  done
  "${TMP_DIR}/bin/explain_script" --query="${QUERY}" --offset="${DEEP_ROWS}" \
    --deep_after_time="${DEEP_TIME}" --deep_after_id="${DEEP_ID}"
} >"${TMP_DIR}/explain.sql"
step psql_super users -f "${TMP_DIR}/explain.sql" >"${TMP_DIR}/explain.txt" 2>&1 ||
  { tail -n 20 "${TMP_DIR}/explain.txt" >&2; fail "EXPLAIN failed"; }
# One line per statement and execution: planning and execution time.
EXPLAIN_TABLE="$(awk '
  /^#### / { title = substr($0, 6) }
  /^-- first execution/ { run = "1st (custom)" }
  /^-- 7th execution/ { run = "7th (kept)" }
  /^-- planning only/ { run = "planning only" }
  /Planning Time:/ {
    planning = $3
    if (run == "planning only") printf "| %s | %s | %s | - |\n", title, run, planning
  }
  /Execution Time:/ { printf "| %s | %s | %s | %s |\n", title, run, planning, $3 }
' "${TMP_DIR}/explain.txt")"

# ---- Report --------------------------------------------------------------------------------------
COMMAND="USERS=${USERS} CONCURRENCY=${CONCURRENCY} WARMUP=${WARMUP} DURATION=${DURATION}"
COMMAND+=" LOGIN_CONCURRENCY=${LOGIN_CONCURRENCY} bench/users/run.sh"
{
  echo "# users service benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Command: \`${COMMAND}\` ($(report_revision services libs))"
  echo
  echo "Machine: $(report_machine)"
  echo
  echo "Load (uptime) before the driver: ${UPTIME_BEFORE##*load }; between the passes: ${UPTIME_MIDDLE##*load }; after: ${UPTIME_AFTER##*load }."
  echo "Processes above 5% CPU (1 s sample) before the driver: ${BUSY_BEFORE}; between the passes: ${BUSY_MIDDLE}; after: ${BUSY_AFTER}."
  echo "(The load average includes the benchmark's own threads: driver, service, PostgreSQL.)"
  echo
  echo "Data: ${USERS} seeded users + the bootstrap admin (rows | table | indexes: ${TABLE_SIZES});"
  echo "seeded in ${seed_insert_seconds} s, ${seed_seconds} s with VACUUM ANALYZE and CHECKPOINT."
  echo "PostgreSQL: ${PG_OPTIONS//-c /}; each service --db_pool_size=${DB_POOL_SIZE}."
  echo "Authorization: every call but Login is authorized by the roles service (users \`--roles_address\`,"
  echo "with a service key: the admin's permissions cached while the permission watch is open)."
  echo
  echo "### Throughput: ${CONCURRENCY} callers (login: ${LOGIN_CONCURRENCY}), ${CHANNELS} connections"
  echo
  cat "${TMP_DIR}/table.md"
  echo
  echo "### Latency: one caller"
  echo
  sed '/^Setup:/,$d' "${TMP_DIR}/table_single.md"
  echo
  echo "Service memory at the end: ${SERVICE_RSS}/metrics process_resident_memory_bytes ${METRICS_RSS:-n/a}"
  echo
  echo "roles_service: ${ROLES_PERMISSION_CALLS} GetEffectivePermissions calls handled in the whole run; memory at the end: ${ROLES_RSS}"
  echo
  echo
  echo "## EXPLAIN (ANALYZE, BUFFERS) timings (ms)"
  echo
  echo "| statement | execution | planning | execution |"
  echo "|---|---|--:|--:|"
  echo "${EXPLAIN_TABLE}"
  echo
  echo "## EXPLAIN output"
  echo
  echo '```'
  cat "${TMP_DIR}/explain.txt"
  echo '```'
} >"${RESULTS}"
cat "${RESULTS}"
info "report written to ${RESULTS} [$(elapsed)]"
if ((driver_rc != 0)); then
  fail "some calls failed (see the table)"
fi
