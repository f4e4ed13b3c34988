#!/usr/bin/env bash
# bench/roles/run.sh: the roles service Check benchmark in one command (see bench/README.md).
#
#   bench/roles/run.sh                     # 10,000 users, 200 roles in chains 5 deep, 32 callers
#   WARMUP=1s DURATION=5s bench/roles/run.sh
#
# Builds the two services and the driver with Bazel, starts a throwaway PostgreSQL 15 cluster in
# a temporary folder on a free loopback port (as the postgres user when run as root), starts the
# real users_service (bootstrap admin, --roles_address) and roles_service (--users_address,
# --bootstrap_admin_user_id, --service_jwks_file, as ./dev does; bench/lib/stack.sh) against it, seeds USERS users (services/users/store/testing/seed_users.sql), then ROLES
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
BENCH_NAME="roles bench"
TIME_LIMIT="${TIME_LIMIT:-1800}"
# The shared stack: trap and time limit, build, PostgreSQL, users + roles services.
# shellcheck source=bench/lib/stack.sh
source "${REPO_ROOT}/bench/lib/stack.sh"

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
RESULTS="${RESULTS:-/tmp/roles_bench_$(date -u +%Y%m%dT%H%M%SZ).md}"

SEED_ROLES_SQL="${REPO_ROOT}/bench/roles/seed_roles.sql"
EFFECTIVE_SQL="${REPO_ROOT}/services/roles/store/queries/effective_permissions.sql"

require_whole_numbers USERS ROLES CHAIN_DEPTH PERMS_PER_ROLE CONCURRENCY CHANNELS BATCH \
  DB_POOL_SIZE TIME_LIMIT
((USERS >= 100)) || fail "USERS must be at least 100"
((CHAIN_DEPTH >= 1 && CHAIN_DEPTH <= 8)) || fail "CHAIN_DEPTH must be 1 to 8 (the service's limit)"
((ROLES >= CHAIN_DEPTH && ROLES % CHAIN_DEPTH == 0)) ||
  fail "ROLES must be a positive multiple of CHAIN_DEPTH"
((BATCH >= 1 && BATCH <= 100)) || fail "BATCH must be 1 to 100"

stack_begin
stack_build //services/users:users_service //services/roles:roles_service //bench/roles:roles_bench
pg_start
# users (accounts, Login, JWKS; it asks roles for its callers' permissions, though the driver's
# users calls, Login, are public) and roles (--users_address, --bootstrap_admin_user_id).
start_users_and_roles

# ---- Seed ----------------------------------------------------------------------------------------
info "seeding ${USERS} users, ${ROLES} roles in chains ${CHAIN_DEPTH} deep, grants [$(elapsed)]"
seed_started=${SECONDS}
seed_users "${USERS}" 0 0
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
BUSY_BEFORE="$(busy_processes)"
UPTIME_BEFORE="$(uptime)"
info "running the driver [$(elapsed)]; load: ${UPTIME_BEFORE##*load}"
DRIVER_ARGS=(
  --roles_target="127.0.0.1:${ROLES_GRPC_PORT}" --users_target="127.0.0.1:${USERS_GRPC_PORT}"
  --email="${ADMIN_EMAIL}" --password_file="${ADMIN_PASSWORD_FILE}"
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
SERVICE_RSS="$(process_memory "${ROLES_PID}")"

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
  echo "Command: \`${COMMAND}\` ($(report_revision services libs))"
  echo
  echo "Machine: $(report_machine)"
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
