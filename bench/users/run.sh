#!/usr/bin/env bash
# bench/users/run.sh: the users service benchmark in one command (see bench/README.md).
#
#   bench/users/run.sh                     # 1,000,000 users, 32 callers, 2 s warm-up + 10 s each
#   USERS=100000 DURATION=5s bench/users/run.sh
#
# Builds the service and the driver with Bazel, starts a throwaway PostgreSQL 15 cluster in a
# temporary folder on a free loopback port (as the postgres user when run as root), starts the
# real users_service against it, seeds USERS users with one INSERT ... SELECT generate_series
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
#   DB_POOL_SIZE=16        the service's --db_pool_size
#   TIME_LIMIT=3600        seconds the whole run may take, build included
#   RESULTS=/tmp/users_bench_<time>.md   where the report goes
#   BUILD=1                0: use the binaries already in bazel-bin
#   KEEP_TMP=0             1: keep the temporary folder (logs, data) for inspection
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
readonly REPO_ROOT
# is_root, pg_owner, as_pg_owner, port_in_use, info: the helpers ./dev uses for its cluster.
# shellcheck source=tools/dev/lib/common.sh
source "${REPO_ROOT}/tools/dev/lib/common.sh"

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
SHARED_BUFFERS="${SHARED_BUFFERS:-256MB}"
DB_POOL_SIZE="${DB_POOL_SIZE:-16}"
TIME_LIMIT="${TIME_LIMIT:-3600}"
RESULTS="${RESULTS:-/tmp/users_bench_$(date -u +%Y%m%dT%H%M%SZ).md}"
BUILD="${BUILD:-1}"
KEEP_TMP="${KEEP_TMP:-0}"

PG_BIN="/usr/lib/postgresql/15/bin"
ADMIN_EMAIL="bench-admin@example.com"
SEED_SQL="${REPO_ROOT}/services/users/store/testing/seed_users.sql"
QUERIES_DIR="${REPO_ROOT}/services/users/store/queries"

fail() {
  printf 'users bench: error: %s\n' "$*" >&2
  exit 1
}

for number in USERS CONCURRENCY CHANNELS LOGIN_CONCURRENCY DEEP_ROWS DISABLED_EVERY \
  DELETED_EVERY DB_POOL_SIZE TIME_LIMIT; do
  [[ "${!number}" =~ ^[0-9]+$ ]] || fail "${number} must be a whole number, not '${!number}'"
done
((USERS > DEEP_ROWS + 100)) || fail "USERS must exceed DEEP_ROWS + 100"
[[ -x "${PG_BIN}/initdb" ]] || fail "${PG_BIN}/initdb not found: is postgresql-15 installed?"

# ---- Cleanup: whatever happens, stop what was started -------------------------------------------
TMP_DIR=""
PG_DATA=""
PG_STARTED=0
SERVICE_PID=""
STEP_PID=""
WATCHDOG_PID=""

# stop_pid PID SECONDS: TERM, then KILL if it has not exited after SECONDS.
stop_pid() {
  local pid="$1" seconds="$2" i
  kill -TERM "${pid}" 2>/dev/null || return 0
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "${pid}" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "${pid}" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [[ -n "${STEP_PID}" ]]; then
    stop_pid "${STEP_PID}" 10
  fi
  if [[ -n "${SERVICE_PID}" ]]; then
    stop_pid "${SERVICE_PID}" 15
  fi
  if ((PG_STARTED)); then
    as_pg_owner "${PG_BIN}/pg_ctl" stop --pgdata="${PG_DATA}" --mode=fast --wait --timeout=60 \
      >/dev/null 2>&1 ||
      as_pg_owner "${PG_BIN}/pg_ctl" stop --pgdata="${PG_DATA}" --mode=immediate >/dev/null 2>&1
  fi
  if [[ -n "${WATCHDOG_PID}" ]]; then
    kill -TERM "${WATCHDOG_PID}" 2>/dev/null
  fi
  if [[ -n "${TMP_DIR}" ]]; then
    if ((KEEP_TMP)); then
      echo "users bench: kept ${TMP_DIR}" >&2
    else
      rm -rf "${TMP_DIR}"
    fi
  fi
  exit "${rc}"
}
trap cleanup EXIT
trap 'echo "users bench: interrupted" >&2; exit 130' INT
trap 'echo "users bench: stopped (time limit or SIGTERM)" >&2; exit 143' TERM

# step COMMAND...: runs COMMAND in the background and waits for it, so that Ctrl-C and the time
# limit interrupt the wait at once (bash runs a trap only after a foreground command ends) and
# cleanup can stop it.
step() {
  "$@" &
  STEP_PID=$!
  local rc=0
  wait "${STEP_PID}" || rc=$?
  STEP_PID=""
  return "${rc}"
}

# The time limit: TERM to this script, whose trap cleans up.
(
  trap 'kill "${sleeper}" 2>/dev/null; exit 0' TERM
  sleep "${TIME_LIMIT}" &
  sleeper=$!
  wait "${sleeper}"
  echo "users bench: TIME_LIMIT of ${TIME_LIMIT} s reached" >&2
  kill -TERM "$$"
) &
WATCHDOG_PID=$!

START_SECONDS=${SECONDS}
elapsed() { echo "$((SECONDS - START_SECONDS)) s"; }

# free_port VAR: sets VAR to a TCP port nothing listens on and no other VAR got (a port taken
# between this check and its use makes the start fail clearly; the race is harmless here).
USED_PORTS=" "
free_port() {
  local port i
  for ((i = 0; i < 100; i++)); do
    port=$((20000 + RANDOM % 40000))
    if [[ "${USED_PORTS}" != *" ${port} "* ]] && ! port_in_use "${port}"; then
      USED_PORTS+="${port} "
      printf -v "$1" '%s' "${port}"
      return 0
    fi
  done
  fail "no free port found"
}

# ---- Build -------------------------------------------------------------------------------------
cd "${REPO_ROOT}"
TARGETS=(//services/users:users_service //bench/users:users_bench //bench/users:explain_script)
if ((BUILD)); then
  info "building ${TARGETS[*]}"
  step bazel build "${TARGETS[@]}" || fail "bazel build failed"
fi
TMP_DIR="$(mktemp -d /tmp/users-bench.XXXXXX)"
chmod 0755 "${TMP_DIR}"
mkdir -p "${TMP_DIR}/bin"
# Copies, so that a rebuild by someone else during the run cannot swap a binary.
for binary in services/users/users_service bench/users/users_bench bench/users/explain_script; do
  [[ -x "bazel-bin/${binary}" ]] || fail "bazel-bin/${binary} missing (run with BUILD=1)"
  cp "bazel-bin/${binary}" "${TMP_DIR}/bin/"
done

# ---- PostgreSQL ----------------------------------------------------------------------------------
PG_DATA="${TMP_DIR}/pg"
PG_RUN="${TMP_DIR}/run"
free_port PG_PORT
mkdir -p "${PG_DATA}" "${PG_RUN}"
if is_root; then
  chown postgres:postgres "${PG_DATA}" "${PG_RUN}"
fi
chmod 0700 "${PG_DATA}"
info "PostgreSQL 15: new cluster in ${PG_DATA}, 127.0.0.1:${PG_PORT}, shared_buffers=${SHARED_BUFFERS}"
as_pg_owner "${PG_BIN}/initdb" --pgdata="${PG_DATA}" --username=postgres --auth=trust \
  --encoding=UTF8 --locale=C.UTF-8 >"${TMP_DIR}/initdb.log" 2>&1 ||
  { tail -n 20 "${TMP_DIR}/initdb.log" >&2; fail "initdb failed"; }
# Production-like durability (fsync, synchronous_commit and full_page_writes stay on); a larger
# WAL budget so the one-statement seeding does not checkpoint every few seconds.
PG_OPTIONS="-c listen_addresses=127.0.0.1 -c port=${PG_PORT} -c unix_socket_directories=${PG_RUN}"
PG_OPTIONS+=" -c shared_buffers=${SHARED_BUFFERS} -c fsync=on -c synchronous_commit=on"
PG_OPTIONS+=" -c max_wal_size=4GB -c maintenance_work_mem=256MB"
touch "${TMP_DIR}/postgres.log"
chmod 0666 "${TMP_DIR}/postgres.log"
PG_STARTED=1
as_pg_owner "${PG_BIN}/pg_ctl" start --pgdata="${PG_DATA}" --wait --timeout=60 \
  --log="${TMP_DIR}/postgres.log" -o "${PG_OPTIONS}" >/dev/null ||
  { tail -n 20 "${TMP_DIR}/postgres.log" >&2; fail "PostgreSQL did not start"; }

# psql_super ARGS...: psql as the superuser into the benchmark database (search_path users).
psql_super() {
  PGOPTIONS="-c search_path=users" "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
    -p "${PG_PORT}" -U postgres -d "${PSQL_DB:-backoffice}" "$@"
}
PSQL_DB=postgres psql_super -c "CREATE ROLE backoffice LOGIN" \
  -c "CREATE DATABASE backoffice OWNER backoffice"

# ---- The users service ---------------------------------------------------------------------------
free_port GRPC_PORT
free_port ADMIN_PORT
head -c 32 /dev/urandom >"${TMP_DIR}/signing.key"
head -c 18 /dev/urandom | base64 | tr '+/' 'xy' >"${TMP_DIR}/admin.password"
chmod 0600 "${TMP_DIR}/signing.key" "${TMP_DIR}/admin.password"
info "users_service: gRPC 127.0.0.1:${GRPC_PORT}, admin http://127.0.0.1:${ADMIN_PORT}"
"${TMP_DIR}/bin/users_service" \
  --bind_address=127.0.0.1 --grpc_port="${GRPC_PORT}" --admin_port="${ADMIN_PORT}" \
  --db_host=127.0.0.1 --db_port="${PG_PORT}" --db_name=backoffice --db_user=backoffice \
  --db_pool_size="${DB_POOL_SIZE}" \
  --signing_key_encryption_key_file="${TMP_DIR}/signing.key" \
  --bootstrap_admin_email="${ADMIN_EMAIL}" \
  --bootstrap_admin_password_file="${TMP_DIR}/admin.password" \
  --log_level=warn --shutdown_grace=5s >"${TMP_DIR}/users_service.log" 2>&1 &
SERVICE_PID=$!
for ((i = 0; ; i++)); do
  if curl -fsS -o /dev/null "http://127.0.0.1:${ADMIN_PORT}/readyz" 2>/dev/null; then
    break
  fi
  if ! kill -0 "${SERVICE_PID}" 2>/dev/null; then
    tail -n 20 "${TMP_DIR}/users_service.log" >&2
    fail "users_service exited during start"
  fi
  ((i < 600)) || fail "users_service not ready after 60 s (log: ${TMP_DIR}/users_service.log)"
  sleep 0.1
done

# ---- Seed ----------------------------------------------------------------------------------------
info "seeding ${USERS} users (one INSERT ... SELECT generate_series), then VACUUM ANALYZE [$(elapsed)]"
seed_started=${SECONDS}
# The seed helper's statement; parameters as in seed_users.h: first and last index, email
# domain, base creation time, users per second, every n-th disabled, every n-th deleted.
{
  echo "PREPARE seed(bigint, bigint, text, timestamptz, bigint, bigint, bigint) AS"
  cat "${SEED_SQL}"
  echo ";"
  echo "EXECUTE seed(1, ${USERS}, 'example.com', '2024-01-01T00:00:00Z', 1, ${DISABLED_EVERY}, ${DELETED_EVERY});"
} >"${TMP_DIR}/seed.sql"
step psql_super -f "${TMP_DIR}/seed.sql" || fail "seeding failed (log: ${TMP_DIR}/postgres.log)"
seed_insert_seconds=$((SECONDS - seed_started))
step psql_super -c "VACUUM (ANALYZE) users" -c "CHECKPOINT" || fail "VACUUM ANALYZE failed"
seed_seconds=$((SECONDS - seed_started))
info "seeded in ${seed_insert_seconds} s, VACUUM ANALYZE + CHECKPOINT done after ${seed_seconds} s"

psql_super -At -c "COPY (SELECT id FROM users ORDER BY random() LIMIT 100000) TO STDOUT" \
  >"${TMP_DIR}/ids.txt"
# The last row before the deep page (the keyset position its page token holds).
DEEP_ROW="$(psql_super -At -F ' ' -c "
  SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id
  FROM users WHERE status <> 'deleted'
  ORDER BY created_at DESC, id DESC OFFSET $((DEEP_ROWS - 1)) LIMIT 1")"
read -r DEEP_TIME DEEP_ID <<<"${DEEP_ROW}"
[[ -n "${DEEP_ID:-}" ]] || fail "could not find row ${DEEP_ROWS} of the listing"
TABLE_SIZES="$(psql_super -At -F ' | ' -c "
  SELECT count(*), pg_size_pretty(pg_table_size('users')),
         pg_size_pretty(pg_indexes_size('users'))
  FROM users")"

# ---- Load ----------------------------------------------------------------------------------------
# busy_processes: what used at least 5% of a CPU over one second (other work on a shared machine).
busy_processes() {
  top -b -n 2 -d 1 -o %CPU | awk '/^top -/ { frame++; table = 0; next }
    frame == 2 && $1 == "PID" { table = 1; next }
    table && $9 + 0 >= 5 { printf "%s%s %s%%", sep, $12, $9; sep = ", " }
    END { if (!sep) printf "none" }'
}
BUSY_BEFORE="$(busy_processes)"
UPTIME_BEFORE="$(uptime)"
info "running the driver [$(elapsed)]; load: ${UPTIME_BEFORE##*load}"
DRIVER_ARGS=(
  --target="127.0.0.1:${GRPC_PORT}" --email="${ADMIN_EMAIL}"
  --password_file="${TMP_DIR}/admin.password" --ids_file="${TMP_DIR}/ids.txt"
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

SERVICE_RSS="$(awk '/^VmRSS|^VmHWM/ {printf "%s %s %s; ", $1, $2, $3}' "/proc/${SERVICE_PID}/status")"
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
step psql_super -f "${TMP_DIR}/explain.sql" >"${TMP_DIR}/explain.txt" 2>&1 ||
  { tail -n 20 "${TMP_DIR}/explain.txt" >&2; fail "EXPLAIN failed"; }
# One line per statement and execution: planning and execution time.
EXPLAIN_TABLE="$(awk '
  /^#### / { title = substr($0, 6) }
  /^-- first execution/ { run = "1st (custom)" }
  /^-- 7th execution/ { run = "7th (kept)" }
  /Planning Time:/ { planning = $3 }
  /Execution Time:/ { printf "| %s | %s | %s | %s |\n", title, run, planning, $3 }
' "${TMP_DIR}/explain.txt")"

# ---- Report --------------------------------------------------------------------------------------
COMMAND="USERS=${USERS} CONCURRENCY=${CONCURRENCY} WARMUP=${WARMUP} DURATION=${DURATION}"
COMMAND+=" LOGIN_CONCURRENCY=${LOGIN_CONCURRENCY} bench/users/run.sh"
{
  echo "# users service benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Command: \`${COMMAND}\` (git $(git -C "${REPO_ROOT}" rev-parse --short HEAD)$(
    git -C "${REPO_ROOT}" diff --quiet HEAD -- services libs 2>/dev/null || echo ", uncommitted changes in services/ or libs/"))"
  echo
  echo "Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(
    awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr)"
  echo
  echo "Load (uptime) before the driver: ${UPTIME_BEFORE##*load }; between the passes: ${UPTIME_MIDDLE##*load }; after: ${UPTIME_AFTER##*load }."
  echo "Processes above 5% CPU (1 s sample) before the driver: ${BUSY_BEFORE}; between the passes: ${BUSY_MIDDLE}; after: ${BUSY_AFTER}."
  echo "(The load average includes the benchmark's own threads: driver, service, PostgreSQL.)"
  echo
  echo "Data: ${USERS} seeded users + the bootstrap admin (rows | table | indexes: ${TABLE_SIZES});"
  echo "seeded in ${seed_insert_seconds} s, ${seed_seconds} s with VACUUM ANALYZE and CHECKPOINT."
  echo "PostgreSQL: ${PG_OPTIONS//-c /}; service --db_pool_size=${DB_POOL_SIZE}."
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
