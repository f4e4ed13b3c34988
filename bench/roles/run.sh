#!/usr/bin/env bash
# bench/roles/run.sh: the roles service Check benchmark in one command (see bench/README.md).
#
#   bench/roles/run.sh                     # 10,000 users, 200 roles in chains 5 deep, 32 callers
#   WARMUP=1s DURATION=5s bench/roles/run.sh
#
# Builds the two services and the driver with Bazel, starts a throwaway PostgreSQL 15 cluster in
# a temporary folder on a free loopback port (as the postgres user when run as root), starts the
# real users_service (bootstrap admin) and roles_service (--bootstrap_admin_user_id, as ./dev
# does) against it, seeds USERS users (services/users/store/testing/seed_users.sql), then ROLES
# custom roles in inheritance chains CHAIN_DEPTH deep and 1-3 grants per user
# (bench/roles/seed_roles.sql, straight into the roles schema), ANALYZEs, runs the load driver
# (bench/roles/roles_bench.cc, which logs in through the users service's Login RPC), EXPLAINs the
# effective-permissions query, and writes a Markdown report to RESULTS (printed at the end too).
#
# Everything it started is stopped, and the temporary folder deleted, on success, failure,
# Ctrl-C or when TIME_LIMIT runs out.
#
# Settings (environment):
#   USERS=10000 ROLES=200 CHAIN_DEPTH=5   data: users, custom roles, roles per chain (1-8)
#   PERMS_PER_ROLE=3       permissions each role adds (catalog: 19 platform + 100 benchmark)
#   WARMUP=2s DURATION=10s warm-up and measured window of each scenario
#   COLD_WARMUP=0.2s       warm-up of effective_cold, whose window ends when its fresh users run out
#   CONCURRENCY=32         concurrent callers (threads); CHANNELS=4 connections
#   BATCH=10               checks per BatchCheckPermissions call
#   SCENARIOS=...          comma-separated subset (default: all, see roles_bench --help)
#   SHARED_BUFFERS=256MB   PostgreSQL shared_buffers (fsync and synchronous_commit stay on)
#   DB_POOL_SIZE=16        each service's --db_pool_size
#   TIME_LIMIT=1800        seconds the whole run may take, build included
#   RESULTS=/tmp/roles_bench_<time>.md   where the report goes
#   BUILD=1                0: use the binaries already in bazel-bin
#   KEEP_TMP=0             1: keep the temporary folder (logs, data) for inspection
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
readonly REPO_ROOT
# is_root, pg_owner, as_pg_owner, port_in_use, info: the helpers ./dev uses for its cluster.
# shellcheck source=tools/dev/lib/common.sh
source "${REPO_ROOT}/tools/dev/lib/common.sh"

USERS="${USERS:-10000}"
ROLES="${ROLES:-200}"
CHAIN_DEPTH="${CHAIN_DEPTH:-5}"
PERMS_PER_ROLE="${PERMS_PER_ROLE:-3}"
WARMUP="${WARMUP:-2s}"
COLD_WARMUP="${COLD_WARMUP:-0.2s}"
DURATION="${DURATION:-10s}"
CONCURRENCY="${CONCURRENCY:-32}"
CHANNELS="${CHANNELS:-4}"
BATCH="${BATCH:-10}"
SCENARIOS="${SCENARIOS:-}"
SHARED_BUFFERS="${SHARED_BUFFERS:-256MB}"
DB_POOL_SIZE="${DB_POOL_SIZE:-16}"
TIME_LIMIT="${TIME_LIMIT:-1800}"
RESULTS="${RESULTS:-/tmp/roles_bench_$(date -u +%Y%m%dT%H%M%SZ).md}"
BUILD="${BUILD:-1}"
KEEP_TMP="${KEEP_TMP:-0}"

PG_BIN="/usr/lib/postgresql/15/bin"
ADMIN_EMAIL="bench-admin@example.com"
SEED_USERS_SQL="${REPO_ROOT}/services/users/store/testing/seed_users.sql"
SEED_ROLES_SQL="${REPO_ROOT}/bench/roles/seed_roles.sql"
EFFECTIVE_SQL="${REPO_ROOT}/services/roles/store/queries/effective_permissions.sql"

fail() {
  printf 'roles bench: error: %s\n' "$*" >&2
  exit 1
}

for number in USERS ROLES CHAIN_DEPTH PERMS_PER_ROLE CONCURRENCY CHANNELS BATCH DB_POOL_SIZE \
  TIME_LIMIT; do
  [[ "${!number}" =~ ^[0-9]+$ ]] || fail "${number} must be a whole number, not '${!number}'"
done
((USERS >= 100)) || fail "USERS must be at least 100"
((CHAIN_DEPTH >= 1 && CHAIN_DEPTH <= 8)) || fail "CHAIN_DEPTH must be 1 to 8 (the service's limit)"
((ROLES >= CHAIN_DEPTH && ROLES % CHAIN_DEPTH == 0)) ||
  fail "ROLES must be a positive multiple of CHAIN_DEPTH"
((BATCH >= 1 && BATCH <= 100)) || fail "BATCH must be 1 to 100"
[[ -x "${PG_BIN}/initdb" ]] || fail "${PG_BIN}/initdb not found: is postgresql-15 installed?"

# ---- Cleanup: whatever happens, stop what was started -------------------------------------------
TMP_DIR=""
PG_DATA=""
PG_STARTED=0
SERVICE_PIDS=()
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
  local rc=$? pid
  trap - EXIT INT TERM
  set +e
  if [[ -n "${STEP_PID}" ]]; then
    stop_pid "${STEP_PID}" 10
  fi
  for pid in "${SERVICE_PIDS[@]}"; do
    stop_pid "${pid}" 15
  done
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
      echo "roles bench: kept ${TMP_DIR}" >&2
    else
      rm -rf "${TMP_DIR}"
    fi
  fi
  exit "${rc}"
}
trap cleanup EXIT
trap 'echo "roles bench: interrupted" >&2; exit 130' INT
trap 'echo "roles bench: stopped (time limit or SIGTERM)" >&2; exit 143' TERM

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
  echo "roles bench: TIME_LIMIT of ${TIME_LIMIT} s reached" >&2
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
TARGETS=(//services/users:users_service //services/roles:roles_service //bench/roles:roles_bench)
if ((BUILD)); then
  info "building ${TARGETS[*]}"
  step bazel build "${TARGETS[@]}" || fail "bazel build failed"
fi
TMP_DIR="$(mktemp -d /tmp/roles-bench.XXXXXX)"
chmod 0755 "${TMP_DIR}"
mkdir -p "${TMP_DIR}/bin"
# Copies, so that a rebuild by someone else during the run cannot swap a binary.
for binary in services/users/users_service services/roles/roles_service bench/roles/roles_bench; do
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
# Production-like durability (fsync, synchronous_commit and full_page_writes stay on).
PG_OPTIONS="-c listen_addresses=127.0.0.1 -c port=${PG_PORT} -c unix_socket_directories=${PG_RUN}"
PG_OPTIONS+=" -c shared_buffers=${SHARED_BUFFERS} -c fsync=on -c synchronous_commit=on"
touch "${TMP_DIR}/postgres.log"
chmod 0666 "${TMP_DIR}/postgres.log"
PG_STARTED=1
as_pg_owner "${PG_BIN}/pg_ctl" start --pgdata="${PG_DATA}" --wait --timeout=60 \
  --log="${TMP_DIR}/postgres.log" -o "${PG_OPTIONS}" >/dev/null ||
  { tail -n 20 "${TMP_DIR}/postgres.log" >&2; fail "PostgreSQL did not start"; }

# psql_super SCHEMA ARGS...: psql as the superuser into the benchmark database.
psql_super() {
  local schema="$1"
  shift
  PGOPTIONS="-c search_path=${schema}" "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
    -p "${PG_PORT}" -U postgres -d "${PSQL_DB:-backoffice}" "$@"
}
PSQL_DB=postgres psql_super public -c "CREATE ROLE backoffice LOGIN" \
  -c "CREATE DATABASE backoffice OWNER backoffice"

# start_service NAME ADMIN_PORT ARGS...: starts bin/NAME with ARGS and waits for /readyz.
start_service() {
  local name="$1" admin_port="$2" pid i
  shift 2
  "${TMP_DIR}/bin/${name}" "$@" --bind_address=127.0.0.1 --admin_port="${admin_port}" \
    --db_host=127.0.0.1 --db_port="${PG_PORT}" --db_name=backoffice --db_user=backoffice \
    --db_pool_size="${DB_POOL_SIZE}" --log_level=warn --shutdown_grace=5s \
    >"${TMP_DIR}/${name}.log" 2>&1 &
  pid=$!
  SERVICE_PIDS+=("${pid}")
  for ((i = 0; ; i++)); do
    if curl -fsS -o /dev/null "http://127.0.0.1:${admin_port}/readyz" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "${pid}" 2>/dev/null; then
      tail -n 20 "${TMP_DIR}/${name}.log" >&2
      fail "${name} exited during start"
    fi
    ((i < 600)) || fail "${name} not ready after 60 s (log: ${TMP_DIR}/${name}.log)"
    sleep 0.1
  done
}

# ---- The users service (accounts, Login, JWKS) -----------------------------------------------
free_port USERS_GRPC_PORT
free_port USERS_ADMIN_PORT
head -c 32 /dev/urandom >"${TMP_DIR}/signing.key"
head -c 18 /dev/urandom | base64 | tr '+/' 'xy' >"${TMP_DIR}/admin.password"
chmod 0600 "${TMP_DIR}/signing.key" "${TMP_DIR}/admin.password"
info "users_service: gRPC 127.0.0.1:${USERS_GRPC_PORT}"
start_service users_service "${USERS_ADMIN_PORT}" --grpc_port="${USERS_GRPC_PORT}" \
  --signing_key_encryption_key_file="${TMP_DIR}/signing.key" \
  --bootstrap_admin_email="${ADMIN_EMAIL}" \
  --bootstrap_admin_password_file="${TMP_DIR}/admin.password"

# ---- The roles service ---------------------------------------------------------------------------
# The admin's id read from the users schema, as ./dev's roles_args does.
ADMIN_ID="$(psql_super users -At -c "SELECT id FROM users WHERE lower(email) = lower('${ADMIN_EMAIL}')")"
[[ -n "${ADMIN_ID}" ]] || fail "the bootstrap admin was not created"
free_port ROLES_GRPC_PORT
free_port ROLES_ADMIN_PORT
info "roles_service: gRPC 127.0.0.1:${ROLES_GRPC_PORT}, bootstrap admin ${ADMIN_ID}"
start_service roles_service "${ROLES_ADMIN_PORT}" --grpc_port="${ROLES_GRPC_PORT}" \
  --users_address="127.0.0.1:${USERS_GRPC_PORT}" --bootstrap_admin_user_id="${ADMIN_ID}"
ROLES_PID="${SERVICE_PIDS[-1]}"

# ---- Seed ----------------------------------------------------------------------------------------
info "seeding ${USERS} users, ${ROLES} roles in chains ${CHAIN_DEPTH} deep, grants [$(elapsed)]"
seed_started=${SECONDS}
# The users seed helper's statement; parameters as in seed_users.h: first and last index, email
# domain, base creation time, users per second, every n-th disabled, every n-th deleted (none).
{
  echo "PREPARE seed(bigint, bigint, text, timestamptz, bigint, bigint, bigint) AS"
  cat "${SEED_USERS_SQL}"
  echo ";"
  echo "EXECUTE seed(1, ${USERS}, 'example.com', '2024-01-01T00:00:00Z', 1, 0, 0);"
} >"${TMP_DIR}/seed_users.sql"
step psql_super users -f "${TMP_DIR}/seed_users.sql" || fail "seeding users failed"
step psql_super roles -v roles="${ROLES}" -v depth="${CHAIN_DEPTH}" \
  -v perms_per_role="${PERMS_PER_ROLE}" -v admin_id="${ADMIN_ID}" -f "${SEED_ROLES_SQL}" ||
  fail "seeding roles failed (log: ${TMP_DIR}/postgres.log)"
# The seed bypassed the service: tell its listener, as a role change would (the cache is cold
# anyway), and give the planner statistics.
psql_super roles -c "NOTIFY roles_changed, 'all'" -c "VACUUM (ANALYZE) users.users" \
  -c "VACUUM (ANALYZE) permissions, roles, role_permissions, role_parents, grants" ||
  fail "ANALYZE failed"
seed_seconds=$((SECONDS - seed_started))
info "seeded in ${seed_seconds} s"

# Users with grants, in random order: effective_cold takes them one by one.
psql_super roles -At -c "COPY (SELECT DISTINCT user_id FROM grants
  WHERE user_id <> '${ADMIN_ID}' ORDER BY 1) TO STDOUT" | shuf --random-source=<(yes) \
  >"${TMP_DIR}/users.txt"
# What was seeded, checked independently of the service (effective sets by one recursive query).
DATA_FACTS="$(psql_super roles -At -F ' ' -c "
  WITH RECURSIVE up(role_id, n) AS (
    SELECT id, 1 FROM roles
    UNION ALL
    SELECT rp.parent_id, u.n + 1 FROM up u JOIN role_parents rp ON rp.role_id = u.role_id
  ), held(user_id, role_id) AS (
    SELECT user_id, role_id FROM grants WHERE user_id <> '${ADMIN_ID}'
    UNION
    SELECT h.user_id, rp.parent_id FROM held h JOIN role_parents rp ON rp.role_id = h.role_id
  ), effective AS (
    SELECT h.user_id, count(DISTINCT h.role_id) AS roles, count(DISTINCT p.permission) AS perms
    FROM held h LEFT JOIN role_permissions p USING (role_id) GROUP BY h.user_id
  )
  SELECT (SELECT count(*) FROM permissions), (SELECT count(*) FROM roles WHERE NOT is_system),
         (SELECT count(*) FROM role_parents), (SELECT max(n) FROM up),
         (SELECT count(*) FROM role_permissions p JOIN roles r ON r.id = p.role_id WHERE NOT r.is_system),
         (SELECT count(*) FROM grants WHERE user_id <> '${ADMIN_ID}'),
         count(*), min(roles), round(avg(roles), 1), max(roles),
         min(perms), round(avg(perms), 1), max(perms)
  FROM effective" 2>&1)" || fail "data check failed: ${DATA_FACTS}"
read -r CATALOG CUSTOM_ROLES EDGES LONGEST ROLE_PERMS GRANTS HOLDERS \
  ROLES_MIN ROLES_AVG ROLES_MAX PERMS_MIN PERMS_AVG PERMS_MAX <<<"${DATA_FACTS}"
((HOLDERS == USERS)) || fail "expected ${USERS} users with grants, found ${HOLDERS}"

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
  --roles_target="127.0.0.1:${ROLES_GRPC_PORT}" --users_target="127.0.0.1:${USERS_GRPC_PORT}"
  --email="${ADMIN_EMAIL}" --password_file="${TMP_DIR}/admin.password"
  --users_file="${TMP_DIR}/users.txt" --concurrency="${CONCURRENCY}" --channels="${CHANNELS}"
  --warmup="${WARMUP}" --cold_warmup="${COLD_WARMUP}" --duration="${DURATION}"
  --batch_size="${BATCH}"
)
if [[ -n "${SCENARIOS}" ]]; then
  DRIVER_ARGS+=(--scenarios="${SCENARIOS}")
fi
driver_rc=0
step "${TMP_DIR}/bin/roles_bench" "${DRIVER_ARGS[@]}" >"${TMP_DIR}/table.md" || driver_rc=$?
((driver_rc == 0 || driver_rc == 3)) || fail "the driver failed (exit ${driver_rc})"
UPTIME_AFTER="$(uptime)"
BUSY_AFTER="$(busy_processes)"
SERVICE_RSS="$(awk '/^VmRSS|^VmHWM/ {printf "%s %s %s; ", $1, $2, $3}' "/proc/${ROLES_PID}/status")"

# ---- EXPLAIN -------------------------------------------------------------------------------------
# The service's own statement, read from its file, for one user: the first execution (custom
# plan) and the 7th (the plan the service keeps under plan_cache_mode = auto).
info "EXPLAIN (ANALYZE, BUFFERS) of effective_permissions.sql [$(elapsed)]"
execute="EXECUTE effective('$(head -n 1 "${TMP_DIR}/users.txt")');"
{
  echo "PREPARE effective AS $(cat "${EFFECTIVE_SQL}");"
  echo "\\echo '-- first execution (custom plan):'"
  echo "EXPLAIN (ANALYZE, BUFFERS) ${execute}"
  printf '%s\n' '\o /dev/null' "${execute}" "${execute}" "${execute}" "${execute}" "${execute}" '\o'
  echo "\\echo '-- 7th execution (the plan the service keeps):'"
  echo "EXPLAIN (ANALYZE, BUFFERS) ${execute}"
} >"${TMP_DIR}/explain.sql"
step psql_super roles -f "${TMP_DIR}/explain.sql" >"${TMP_DIR}/explain.txt" 2>&1 ||
  { tail -n 20 "${TMP_DIR}/explain.txt" >&2; fail "EXPLAIN failed"; }
EXPLAIN_TIMES="$(awk '/Planning Time:/ { planning = $3 } /Execution Time:/ {
  printf "%s%s ms planning + %s ms execution", sep, planning, $3; sep = "; then " }' \
  "${TMP_DIR}/explain.txt")"

# ---- Report --------------------------------------------------------------------------------------
COMMAND="USERS=${USERS} ROLES=${ROLES} CHAIN_DEPTH=${CHAIN_DEPTH} PERMS_PER_ROLE=${PERMS_PER_ROLE}"
COMMAND+=" CONCURRENCY=${CONCURRENCY} CHANNELS=${CHANNELS} WARMUP=${WARMUP}"
COMMAND+=" COLD_WARMUP=${COLD_WARMUP} DURATION=${DURATION}"
COMMAND+=" bench/roles/run.sh"
{
  echo "# roles service Check benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Command: \`${COMMAND}\` (git $(git -C "${REPO_ROOT}" rev-parse --short HEAD)$(
    git -C "${REPO_ROOT}" diff --quiet HEAD -- services libs 2>/dev/null || echo ", uncommitted changes in services/ or libs/"))"
  echo
  echo "Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(
    awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr)"
  echo
  echo "Load (uptime) before the driver: ${UPTIME_BEFORE##*load }; after: ${UPTIME_AFTER##*load }."
  echo "Processes above 5% CPU (1 s sample) before the driver: ${BUSY_BEFORE}; after: ${BUSY_AFTER}."
  echo "(The driver, both services and PostgreSQL share these CPUs.)"
  echo
  echo "Data (seeded in ${seed_seconds} s): ${USERS} users with grants + the bootstrap admin;"
  echo "catalog ${CATALOG} permissions; ${CUSTOM_ROLES} custom roles in $((ROLES / CHAIN_DEPTH))"
  echo "chains of ${CHAIN_DEPTH} (${EDGES} inheritance edges, longest chain ${LONGEST} roles),"
  echo "${ROLE_PERMS} role permissions (up to ${PERMS_PER_ROLE} a role); ${GRANTS} grants."
  echo "Per user: ${ROLES_MIN} / ${ROLES_AVG} / ${ROLES_MAX} roles held with inherited ones, and"
  echo "${PERMS_MIN} / ${PERMS_AVG} / ${PERMS_MAX} effective permissions (min / mean / max)."
  echo "PostgreSQL: ${PG_OPTIONS//-c /}; each service --db_pool_size=${DB_POOL_SIZE}."
  echo
  echo "### ${CONCURRENCY} callers (check_single_caller: 1), ${CHANNELS} connections"
  echo
  cat "${TMP_DIR}/table.md"
  echo
  echo "roles_service memory at the end: ${SERVICE_RSS}"
  echo
  echo "## effective_permissions.sql: EXPLAIN (ANALYZE, BUFFERS), one user"
  echo
  echo "${EXPLAIN_TIMES}."
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
