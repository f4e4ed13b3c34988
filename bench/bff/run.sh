#!/usr/bin/env bash
# bench/bff/run.sh: the BFF gateway benchmark in one command (see bench/README.md).
#
#   bench/bff/run.sh                         # 100,000 users, wrk -c 32 -t 2, 2 s + 10 s per path
#   USERS=10000 DURATION=5s bench/bff/run.sh
#
# Builds the bff and the users service with Bazel, starts a throwaway PostgreSQL 15 cluster in a
# temporary folder on a free loopback port (as the postgres user when run as root), the real
# users_service against it (bootstrap admin) and the real bff in front of it, seeds USERS users
# with one INSERT ... SELECT generate_series (services/users/store/testing/seed_users.sql),
# VACUUM ANALYZEs, gets an access token through POST /api/auth/token, and runs wrk
# (bench/bff/request.lua sends "Authorization: Bearer <token>") against /healthz,
# GET /api/users/{id} (rotating over ID_COUNT seeded ids), GET /api/me, the 25-row list sorted by
# createTime and the 25-row text search. The bff's VmRSS is sampled every 0.2 s during the runs.
# Writes a Markdown report to RESULTS (printed at the end too). Fails when any response was not
# 2xx or wrk saw socket errors.
#
# Everything it started is stopped, and the temporary folder deleted, on success, failure,
# Ctrl-C or when TIME_LIMIT runs out.
#
# Settings (environment):
#   USERS=100000           users to seed
#   WARMUP=2s DURATION=10s warm-up (not counted) and measured wrk run of each path
#   CONNECTIONS=32 THREADS=2   wrk -c and -t
#   SCENARIOS=...          comma-separated subset of: healthz,get_user,me,list,search
#   QUERY='99@'            q of the text search (matches 1% of the seeded emails)
#   ID_COUNT=10000         seeded ids the get_user run rotates over
#   IO_THREADS=0           the bff's --io_threads (0: one per core)
#   ACCESS_LOG=false       the bff's --access_log (true: one JSON line per request to a file)
#   SHARED_BUFFERS=256MB   PostgreSQL shared_buffers (fsync and synchronous_commit stay on)
#   DB_POOL_SIZE=16        the users service's --db_pool_size
#   TIME_LIMIT=1200        seconds the whole run may take, build included
#   RESULTS=/tmp/bff_bench_<time>.md   where the report goes
#   BUILD=1                0: use the binaries already in bazel-bin
#   KEEP_TMP=0             1: keep the temporary folder (logs, data) for inspection
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
readonly REPO_ROOT
# is_root, as_pg_owner, port_in_use, info: the helpers ./dev uses for its cluster.
# shellcheck source=tools/dev/lib/common.sh
source "${REPO_ROOT}/tools/dev/lib/common.sh"

USERS="${USERS:-100000}"
WARMUP="${WARMUP:-2s}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
SCENARIOS="${SCENARIOS:-healthz,get_user,me,list,search}"
QUERY="${QUERY:-99@}"
ID_COUNT="${ID_COUNT:-10000}"
IO_THREADS="${IO_THREADS:-0}"
ACCESS_LOG="${ACCESS_LOG:-false}"
SHARED_BUFFERS="${SHARED_BUFFERS:-256MB}"
DB_POOL_SIZE="${DB_POOL_SIZE:-16}"
TIME_LIMIT="${TIME_LIMIT:-1200}"
RESULTS="${RESULTS:-/tmp/bff_bench_$(date -u +%Y%m%dT%H%M%SZ).md}"
BUILD="${BUILD:-1}"
KEEP_TMP="${KEEP_TMP:-0}"

PG_BIN="/usr/lib/postgresql/15/bin"
ADMIN_EMAIL="bench-admin@example.com"
SEED_SQL="${REPO_ROOT}/services/users/store/testing/seed_users.sql"
LUA_SCRIPT="${REPO_ROOT}/bench/bff/request.lua"
DISABLED_EVERY=20
DELETED_EVERY=100

fail() {
  printf 'bff bench: error: %s\n' "$*" >&2
  exit 1
}

for number in USERS CONNECTIONS THREADS ID_COUNT IO_THREADS DB_POOL_SIZE TIME_LIMIT; do
  [[ "${!number}" =~ ^[0-9]+$ ]] || fail "${number} must be a whole number, not '${!number}'"
done
((USERS >= 1000)) || fail "USERS must be at least 1000"
[[ "${ACCESS_LOG}" == true || "${ACCESS_LOG}" == false ]] || fail "ACCESS_LOG must be true or false"
[[ -x "${PG_BIN}/initdb" ]] || fail "${PG_BIN}/initdb not found: is postgresql-15 installed?"
for tool in curl jq; do
  command -v "${tool}" >/dev/null || fail "${tool} not found (tools/dev/packages.txt lists it)"
done
if ! command -v wrk >/dev/null; then
  # wrk is in tools/dev/packages.txt (the Debian package); install it the way ./dev does.
  info "wrk not found: apt-get install wrk"
  as_root apt-get install -y --no-install-recommends wrk >/dev/null || fail "could not install wrk"
fi

# ---- Cleanup: whatever happens, stop what was started -------------------------------------------
TMP_DIR=""
PG_DATA=""
PG_STARTED=0
SERVICE_PID=""
BFF_PID=""
SAMPLER_PID=""
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
  for pid in "${STEP_PID}" "${SAMPLER_PID}" "${BFF_PID}" "${SERVICE_PID}"; do
    if [[ -n "${pid}" ]]; then
      stop_pid "${pid}" 15
    fi
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
      echo "bff bench: kept ${TMP_DIR}" >&2
    else
      rm -rf "${TMP_DIR}"
    fi
  fi
  exit "${rc}"
}
trap cleanup EXIT
trap 'echo "bff bench: interrupted" >&2; exit 130' INT
trap 'echo "bff bench: stopped (time limit or SIGTERM)" >&2; exit 143' TERM

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
  echo "bff bench: TIME_LIMIT of ${TIME_LIMIT} s reached" >&2
  kill -TERM "$$"
) &
WATCHDOG_PID=$!

START_SECONDS=${SECONDS}
elapsed() { echo "$((SECONDS - START_SECONDS)) s"; }

# free_port VAR: sets VAR to a TCP port nothing listens on and no other VAR got.
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

# wait_ready URL PID NAME LOG: polls URL until it answers 2xx, for at most 60 s.
wait_ready() {
  local url="$1" pid="$2" name="$3" log="$4" i
  for ((i = 0; ; i++)); do
    if curl -fsS -o /dev/null "${url}" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "${pid}" 2>/dev/null; then
      tail -n 20 "${log}" >&2
      fail "${name} exited during start"
    fi
    ((i < 600)) || fail "${name} not ready after 60 s (log: ${log})"
    sleep 0.1
  done
}

# ---- Build -------------------------------------------------------------------------------------
cd "${REPO_ROOT}"
TARGETS=(//bff:bff //services/users:users_service)
if ((BUILD)); then
  info "building ${TARGETS[*]}"
  step bazel build "${TARGETS[@]}" || fail "bazel build failed"
fi
TMP_DIR="$(mktemp -d /tmp/bff-bench.XXXXXX)"
chmod 0755 "${TMP_DIR}"
mkdir -p "${TMP_DIR}/bin"
# Copies, so that a rebuild by someone else during the run cannot swap a binary.
for binary in bff/bff services/users/users_service; do
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
wait_ready "http://127.0.0.1:${ADMIN_PORT}/readyz" "${SERVICE_PID}" users_service \
  "${TMP_DIR}/users_service.log"

# ---- The bff -------------------------------------------------------------------------------------
free_port BFF_PORT
BFF="http://127.0.0.1:${BFF_PORT}"
# Rate limits far above what one machine can send: the benchmark measures the gateway's work,
# not its 429s (every other flag is the default; no SPA folder).
BFF_ARGS=(
  --bind_address=127.0.0.1 --port="${BFF_PORT}" --users_address="127.0.0.1:${GRPC_PORT}"
  --io_threads="${IO_THREADS}" --static_dir= --access_log="${ACCESS_LOG}" --log_level=warn
  --rate_per_address=1000000000 --burst_per_address=1000000000
  --rate_per_user=1000000000 --burst_per_user=1000000000
  --login_rate_per_address=1000 --login_burst_per_address=1000 --shutdown_grace=5s
)
info "bff: ${BFF}"
"${TMP_DIR}/bin/bff" "${BFF_ARGS[@]}" >"${TMP_DIR}/bff.log" 2>&1 &
BFF_PID=$!
wait_ready "${BFF}/readyz" "${BFF_PID}" bff "${TMP_DIR}/bff.log"

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
step psql_super -c "VACUUM (ANALYZE) users" -c "CHECKPOINT" || fail "VACUUM ANALYZE failed"
seed_seconds=$((SECONDS - seed_started))
info "seeded, VACUUM ANALYZE + CHECKPOINT done after ${seed_seconds} s"
# Ids GET /api/users/{id} rotates over: random users that are not soft-deleted (GetUser answers
# 404 for those).
psql_super -At -c "COPY (SELECT id FROM users WHERE status <> 'deleted'
  ORDER BY random() LIMIT ${ID_COUNT}) TO STDOUT" >"${TMP_DIR}/ids.txt"
ROW_COUNT="$(psql_super -At -c "SELECT count(*) FROM users")"

# ---- Token ---------------------------------------------------------------------------------------
jq -n --arg email "${ADMIN_EMAIL}" --rawfile password "${TMP_DIR}/admin.password" \
  '{email: $email, password: ($password | rtrimstr("\n"))}' >"${TMP_DIR}/login.json"
curl -fsS -H 'content-type: application/json' --data-binary "@${TMP_DIR}/login.json" \
  "${BFF}/api/auth/token" >"${TMP_DIR}/token.json" || fail "POST /api/auth/token failed"
BFF_TOKEN="$(jq -er .accessToken "${TMP_DIR}/token.json")" || fail "no accessToken in the answer"
TOKEN_EXPIRES_IN="$(jq -r .expiresIn "${TMP_DIR}/token.json")"
export BFF_TOKEN
export BFF_IDS_FILE="${TMP_DIR}/ids.txt"

# ---- Scenarios -----------------------------------------------------------------------------------
QUERY_ENCODED="$(jq -rn --arg q "${QUERY}" '$q | @uri')"
declare -A PATHS=(
  [healthz]="/healthz"
  [get_user]="/api/users/{id}"
  [me]="/api/me"
  [list]="/api/users?_start=0&_end=25&_sort=createTime&_order=DESC"
  [search]="/api/users?q=${QUERY_ENCODED}&_start=0&_end=25"
)
ORDER=(healthz get_user me list search)
IFS=',' read -r -a SELECTED <<<"${SCENARIOS}"
for name in "${SELECTED[@]}"; do
  [[ -n "${PATHS[${name}]:-}" ]] || fail "unknown scenario '${name}' (known: ${ORDER[*]})"
done
selected() { [[ ",${SCENARIOS}," == *",$1,"* ]]; }

# Each path once with curl: exactly 200, and the body it should have.
check_path() {
  local name="$1" path="${PATHS[$1]}" status
  path="${path//\{id\}/$(head -n 1 "${TMP_DIR}/ids.txt")}"
  status="$(curl -sS -o "${TMP_DIR}/check.body" -D "${TMP_DIR}/check.headers" -w '%{http_code}' \
    -H "Authorization: Bearer ${BFF_TOKEN}" "${BFF}${path}")"
  [[ "${status}" == 200 ]] || { cat "${TMP_DIR}/check.body" >&2; fail "GET ${path}: ${status}, not 200"; }
  case "${name}" in
    get_user) jq -e '.id and .email' "${TMP_DIR}/check.body" >/dev/null ;;
    me) jq -e '.id and .user.email' "${TMP_DIR}/check.body" >/dev/null ;;
    list) jq -e 'length == 25' "${TMP_DIR}/check.body" >/dev/null &&
      grep -qi '^x-total-count:' "${TMP_DIR}/check.headers" ;;
    search) jq -e 'length > 0 and length <= 25 and all(.[]; .email | contains($q))' --arg q "${QUERY}" \
      "${TMP_DIR}/check.body" >/dev/null && grep -qi '^x-total-count:' "${TMP_DIR}/check.headers" ;;
    *) true ;;
  esac || { head -c 600 "${TMP_DIR}/check.body" >&2; echo >&2; fail "GET ${path}: unexpected body"; }
  TOTALS[${name}]="$(awk -F': ' 'tolower($1) == "x-total-count" {gsub(/\r/, "", $2); print $2}' \
    "${TMP_DIR}/check.headers")"
}
declare -A TOTALS=()
for name in "${ORDER[@]}"; do
  if selected "${name}"; then
    check_path "${name}"
  fi
done

# The bff's VmRSS in kB, every 0.2 s, one line per sample: "<seconds since start> <kB>".
(
  while kill -0 "${BFF_PID}" 2>/dev/null; do
    awk -v t="$(date +%s.%N)" '/^VmRSS/ {print t, $2}' "/proc/${BFF_PID}/status" 2>/dev/null
    sleep 0.2
  done
) >"${TMP_DIR}/rss.txt" &
SAMPLER_PID=$!
rss_max_since() { # LINE: max VmRSS in MiB of the samples after line LINE
  awk -v from="$1" 'NR > from && $2 > max {max = $2} END {printf "%.1f", max / 1024}' \
    "${TMP_DIR}/rss.txt"
}
RSS_IDLE="$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/${BFF_PID}/status")"

# busy_processes: what used at least 5% of a CPU over one second (other work on a shared machine).
busy_processes() {
  top -b -n 2 -d 1 -o %CPU | awk '/^top -/ { frame++; table = 0; next }
    frame == 2 && $1 == "PID" { table = 1; next }
    table && $9 + 0 >= 5 { printf "%s%s %s%%", sep, $12, $9; sep = ", " }
    END { if (!sep) printf "none" }'
}
BUSY_BEFORE="$(busy_processes)"
UPTIME_BEFORE="$(uptime)"
info "load before the runs: ${UPTIME_BEFORE##*load }"
declare -A RESULT=() RSS_MAX=()
FAILED=()
for name in "${ORDER[@]}"; do
  selected "${name}" || continue
  export BFF_PATH="${PATHS[${name}]}"
  info "${name}: GET ${BFF_PATH} [$(elapsed)]"
  if [[ "${WARMUP}" != 0 && "${WARMUP}" != 0s ]]; then
    step wrk -c "${CONNECTIONS}" -t "${THREADS}" -d "${WARMUP}" -s "${LUA_SCRIPT}" "${BFF}/" \
      >"${TMP_DIR}/wrk_${name}_warmup.txt" 2>&1 || fail "wrk warm-up of ${name} failed"
  fi
  rss_from="$(wc -l <"${TMP_DIR}/rss.txt")"
  step wrk -c "${CONNECTIONS}" -t "${THREADS}" -d "${DURATION}" --latency -s "${LUA_SCRIPT}" \
    "${BFF}/" >"${TMP_DIR}/wrk_${name}.txt" 2>&1 || fail "wrk run of ${name} failed"
  RSS_MAX[${name}]="$(rss_max_since "${rss_from}")"
  RESULT[${name}]="$(grep '^RESULT ' "${TMP_DIR}/wrk_${name}.txt")" ||
    { cat "${TMP_DIR}/wrk_${name}.txt" >&2; fail "no RESULT line from wrk (${name})"; }
  sed -n '1,/^RESULT/p' "${TMP_DIR}/wrk_${name}.txt" | grep -v '^RESULT'
  for key in status_errors connect read write timeout; do
    value="$(sed -E "s/.* ${key}=([0-9]+).*/\1/" <<<"${RESULT[${name}]}")"
    if ((value != 0)); then
      FAILED+=("${name}: ${key} ${value}")
    fi
  done
done
UPTIME_AFTER="$(uptime)"
BUSY_AFTER="$(busy_processes)"
BFF_STATUS="$(awk '/^VmRSS|^VmHWM|^Threads/ {printf "%s %s %s; ", $1, $2, $3}' "/proc/${BFF_PID}/status")"
RSS_ALL="$(rss_max_since 0)"
BFF_REQUESTS_LOGGED="$(curl -fsS "${BFF}/metrics" | awk '/^bff_http_requests_total/ {
  if ($1 !~ /code="2/) bad += $2; total += $2 } END {printf "%d requests, %d not 2xx", total, bad}')"

# ---- Report --------------------------------------------------------------------------------------
# field NAME KEY: a number of the RESULT line of scenario NAME.
field() { sed -E "s/.* $2=([0-9]+).*/\1/" <<<"${RESULT[$1]}"; }
ms() { awk -v us="$1" 'BEGIN {printf "%.2f", us / 1000}'; }
declare -A LABEL=(
  [healthz]="\`/healthz\`"
  [get_user]="\`GET /api/users/{id}\`"
  [me]="\`GET /api/me\`"
  [list]="25-row list, \`_sort=createTime&_order=DESC\`"
  [search]="25-row text search, \`q=${QUERY}\`"
)
COMMAND="USERS=${USERS} CONNECTIONS=${CONNECTIONS} THREADS=${THREADS} WARMUP=${WARMUP}"
COMMAND+=" DURATION=${DURATION} bench/bff/run.sh"
{
  echo "# BFF gateway benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Command: \`${COMMAND}\` (git $(git -C "${REPO_ROOT}" rev-parse --short HEAD)$(
    git -C "${REPO_ROOT}" diff --quiet HEAD -- bff services libs 2>/dev/null ||
      echo ", uncommitted changes in bff/, services/ or libs/"))"
  echo
  echo "Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(
    awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, $(uname -sr);"
  echo "wrk, the bff, the users service and PostgreSQL all share these CPUs, with whatever else runs."
  echo
  echo "\`uptime\` before the runs: \`${UPTIME_BEFORE}\`"
  echo
  echo "\`uptime\` after the runs: \`${UPTIME_AFTER}\`"
  echo
  echo "Processes above 5% CPU (1 s \`top\` sample) before the runs: ${BUSY_BEFORE}; after: ${BUSY_AFTER}."
  echo
  echo "Data: ${ROW_COUNT} rows (${USERS} seeded + the bootstrap admin; every ${DISABLED_EVERY}th disabled, every ${DELETED_EVERY}th soft-deleted); seeded with VACUUM ANALYZE in ${seed_seconds} s."
  echo "bff: \`${BFF_ARGS[*]}\` (ports aside, every other flag at its default)."
  echo "users service: \`--db_pool_size=${DB_POOL_SIZE}\`; PostgreSQL: \`${PG_OPTIONS//-c /}\`."
  echo "Token: POST /api/auth/token as the bootstrap admin (expires in ${TOKEN_EXPIRES_IN} s), sent as \`Authorization: Bearer\`."
  echo "wrk: \`wrk -c ${CONNECTIONS} -t ${THREADS} -d ${DURATION} --latency -s bench/bff/request.lua\` per path, after a ${WARMUP} warm-up run that is not counted; \`GET /api/users/{id}\` rotates over ${ID_COUNT} random seeded ids."
  echo
  echo "| path | requests | req/s | mean ms | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors | X-Total-Count | bff RSS max MiB |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  for name in "${ORDER[@]}"; do
    selected "${name}" || continue
    requests="$(field "${name}" requests)"
    rate="$(awk -v n="${requests}" -v us="$(field "${name}" duration_us)" 'BEGIN {printf "%.0f", n / (us / 1e6)}')"
    socket=$(($(field "${name}" connect) + $(field "${name}" read) + $(field "${name}" write) + $(field "${name}" timeout)))
    echo "| ${LABEL[${name}]} | ${requests} | ${rate} | $(ms "$(field "${name}" mean_us)") | $(ms "$(field "${name}" p50_us)") | $(ms "$(field "${name}" p90_us)") | $(ms "$(field "${name}" p99_us)") | $(ms "$(field "${name}" max_us)") | $(field "${name}" status_errors) | ${socket} | ${TOTALS[${name}]:--} | ${RSS_MAX[${name}]} |"
  done
  echo
  echo "bff memory: VmRSS ${RSS_IDLE} MiB idle before the runs, ${RSS_ALL} MiB at most during them (sampled every 0.2 s); at the end: ${BFF_STATUS}"
  echo "bff /metrics: ${BFF_REQUESTS_LOGGED} (warm-ups and checks included)."
  echo
  echo "## wrk output"
  for name in "${ORDER[@]}"; do
    selected "${name}" || continue
    echo
    echo "### ${name}: GET ${PATHS[${name}]}"
    echo
    echo '```'
    cat "${TMP_DIR}/wrk_${name}.txt"
    echo '```'
  done
} >"${RESULTS}"
cat "${RESULTS}"
info "report written to ${RESULTS} [$(elapsed)]"
if ((${#FAILED[@]} > 0)); then
  fail "not every response was 2xx or wrk saw errors: ${FAILED[*]}"
fi
