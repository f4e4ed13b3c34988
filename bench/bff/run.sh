#!/usr/bin/env bash
# bench/bff/run.sh: the BFF gateway benchmark in one command (see bench/README.md).
#
#   bench/bff/run.sh                         # 100,000 users, wrk -c 32 -t 2, 2 s + 10 s per path
#   USERS=10000 DURATION=5s bench/bff/run.sh
#
# Builds the bff, the users and roles services and the revoke driver with Bazel, starts a
# throwaway PostgreSQL 15 cluster in a temporary folder on a free loopback port (as the postgres
# user when run as root), the real users_service and roles_service against it (users authorizes
# every call through roles; both cache permissions while their watch is open: bench/lib/stack.sh)
# and three real bffs in front of them: `bff` with a service key (permission watch and user watch:
# permissions, user records and list pages cached; what ./dev runs), `bff_uncached` with the key
# and --users_cache=false (permissions cached, users asked every time) and `bff_nocache` without
# a key (every authorized request asks roles, nothing cached). Seeds USERS users with one
# INSERT ... SELECT generate_series (services/users/store/testing/seed_users.sql), VACUUM
# ANALYZEs, gets an access token through POST /api/auth/token, and runs wrk
# (bench/bff/request.lua sends "Authorization: Bearer <token>") against /healthz,
# GET /api/users/{id} (rotating over ID_COUNT seeded ids), GET /api/me, the 25-row list sorted by
# createTime and the 25-row text search, each on `bff` and on `bff_uncached` (GET user on
# `bff_nocache` too). The bffs' VmRSS is sampled every 0.2 s.
# Then the revoke-to-refusal delay through each bff (bench/bff/revoke_latency.cc, REVOKE_ROUNDS
# grant/revoke cycles). Writes a Markdown report to RESULTS (printed at the end too). Fails when
# any response was not 2xx, wrk saw socket errors, or a revoke round failed.
#
# Everything it started is stopped, and the temporary folder deleted, on success, failure,
# Ctrl-C or when TIME_LIMIT runs out.
#
# Settings (environment):
#   USERS=100000           users to seed
#   WARMUP=2s DURATION=10s warm-up (not counted) and measured wrk run of each path
#   CONNECTIONS=32 THREADS=2   wrk -c and -t
#   SCENARIOS=...          comma-separated subset of:
#                          healthz,get_user,get_user_uncached,get_user_nocache,get_user_churn,
#                          me,me_uncached,list,list_uncached,list_churn,search,search_uncached,
#                          search_churn
#                          (*_uncached: the bff_uncached, without the users cache; *_churn: the
#                          bff while CHURN_RATE updates/s change the accounts)
#   QUERY='99@'            q of the text search (matches 1% of the seeded emails)
#   CHURN_RATE=100         *_churn scenarios: account updates per second asked of a writer session
#                          (straight to the database, on the rotated ids) while wrk reads; it
#                          reaches fewer on a busy machine: the report gives the changes heard
#   ID_COUNT=10000         seeded ids the get_user run rotates over
#   IO_THREADS=0           the bff's --io_threads (0: one per core)
#   DOWNSTREAM_CONNECTIONS=4  the bff's --downstream_connections (HTTP/2 connections per service)
#   ACCESS_LOG=false       the bff's --access_log (true: one JSON line per request to a file)
#   REVOKE_ROUNDS=50       grant/revoke cycles per bff; REVOKE_MAX_WAIT=10s bounds each wait
#   SHARED_BUFFERS=256MB   PostgreSQL shared_buffers (fsync and synchronous_commit stay on)
#   DB_POOL_SIZE=16        each service's --db_pool_size
#   TIME_LIMIT=1200        seconds the whole run may take, build included
#   RESULTS=/tmp/bff_bench_<time>.md   where the report goes
#   BUILD=1                0: use the binaries already in bazel-bin
#   KEEP_TMP=0             1: keep the temporary folder (logs, data) for inspection
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
readonly REPO_ROOT
BENCH_NAME="bff bench"
TIME_LIMIT="${TIME_LIMIT:-1200}"
# The shared stack: trap and time limit, build, PostgreSQL, users + roles services.
# shellcheck source=bench/lib/stack.sh
source "${REPO_ROOT}/bench/lib/stack.sh"

USERS="${USERS:-100000}"
WARMUP="${WARMUP:-2s}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
SCENARIOS="${SCENARIOS:-healthz,get_user,get_user_uncached,get_user_nocache,get_user_churn,me,me_uncached,list,list_uncached,list_churn,search,search_uncached,search_churn}"
QUERY="${QUERY:-99@}"
CHURN_RATE="${CHURN_RATE:-100}"
ID_COUNT="${ID_COUNT:-10000}"
IO_THREADS="${IO_THREADS:-0}"
DOWNSTREAM_CONNECTIONS="${DOWNSTREAM_CONNECTIONS:-4}"
ACCESS_LOG="${ACCESS_LOG:-false}"
REVOKE_ROUNDS="${REVOKE_ROUNDS:-50}"
REVOKE_MAX_WAIT="${REVOKE_MAX_WAIT:-10s}"
RESULTS="${RESULTS:-/tmp/bff_bench_$(date -u +%Y%m%dT%H%M%SZ).md}"

LUA_SCRIPT="${REPO_ROOT}/bench/bff/request.lua"
DISABLED_EVERY=20
DELETED_EVERY=100

require_whole_numbers CHURN_RATE USERS CONNECTIONS THREADS ID_COUNT IO_THREADS DOWNSTREAM_CONNECTIONS DB_POOL_SIZE TIME_LIMIT \
  REVOKE_ROUNDS
((USERS >= 1000)) || fail "USERS must be at least 1000"
[[ "${ACCESS_LOG}" == true || "${ACCESS_LOG}" == false ]] || fail "ACCESS_LOG must be true or false"
for tool in curl jq openssl; do
  command -v "${tool}" >/dev/null || fail "${tool} not found (tools/dev/packages.txt lists it)"
done
if ! command -v wrk >/dev/null; then
  # wrk is in tools/dev/packages.txt (the Debian package); install it the way ./dev does.
  info "wrk not found: apt-get install wrk"
  as_root apt-get install -y --no-install-recommends wrk >/dev/null || fail "could not install wrk"
fi

stack_begin
stack_build //bff:bff //services/users:users_service //services/roles:roles_service \
  //bench/bff:revoke_latency
pg_start
# users and roles: users authorizes every call through roles, with a permission watch.
start_users_and_roles

# ---- The bffs ------------------------------------------------------------------------------------
# wait_users_watch BFF_URL: until that bff's WatchUserChanges stream is live (its users cache on).
wait_users_watch() {
  poll_until 30 "the users watch of $1 live" \
    "curl -fsS '$1/metrics' 2>/dev/null | grep -qx 'bff_users_watch_live 1'"
}
# Two bffs in front of the same services: `bff` with its service key (it watches
# WatchPermissionChanges and caches each user's permissions until told they changed; what ./dev
# runs) and `bff_nocache` without (no watch, no cache: every authorized request asks roles).
# Rate limits far above what one machine can send: the benchmark measures the gateway's work,
# not its 429s (every other flag is the default; no SPA folder).
free_port BFF_PORT
free_port BFF_NOCACHE_PORT
free_port BFF_UNCACHED_PORT
BFF="http://127.0.0.1:${BFF_PORT}"
BFF_NOCACHE="http://127.0.0.1:${BFF_NOCACHE_PORT}"
BFF_UNCACHED="http://127.0.0.1:${BFF_UNCACHED_PORT}"
# shellcheck disable=SC2054  # --required_services takes a comma-separated list.
BFF_ARGS=(
  --bind_address=127.0.0.1 --users_address="127.0.0.1:${USERS_GRPC_PORT}"
  --roles_address="127.0.0.1:${ROLES_GRPC_PORT}" --required_services=users,roles
  --io_threads="${IO_THREADS}" --downstream_connections="${DOWNSTREAM_CONNECTIONS}" --static_dir= --access_log="${ACCESS_LOG}" --log_level=warn
  --rate_per_address=1000000000 --burst_per_address=1000000000
  --rate_per_user=1000000000 --burst_per_user=1000000000
  --login_rate_per_address=1000 --login_burst_per_address=1000 --shutdown_grace=5s
)
BFF_KEY_ARGS=(--service_key_file="${BFF_KEY_FILE}" --service_key_id=bff-service)
info "bff (service key, permissions cached): ${BFF}"
start_process bff bff "${BFF}/readyz" "${BFF_ARGS[@]}" "${BFF_KEY_ARGS[@]}" --port="${BFF_PORT}"
BFF_PID="${LAST_PID}"
info "bff_nocache (no service key, no cache): ${BFF_NOCACHE}"
start_process bff_nocache bff "${BFF_NOCACHE}/readyz" "${BFF_ARGS[@]}" --port="${BFF_NOCACHE_PORT}"
BFF_NOCACHE_PID="${LAST_PID}"
info "bff_uncached (service key, permissions cached, users records and pages not): ${BFF_UNCACHED}"
start_process bff_uncached bff "${BFF_UNCACHED}/readyz" "${BFF_ARGS[@]}" "${BFF_KEY_ARGS[@]}" \
  --users_cache=false --port="${BFF_UNCACHED_PORT}"
BFF_UNCACHED_PID="${LAST_PID}"
# users' watch and the two keyed bffs'.
wait_permission_watchers 3
# The bff's users watch: its cache is on once WatchUserChanges is live.
wait_users_watch "${BFF}"

# ---- Seed ----------------------------------------------------------------------------------------
info "seeding ${USERS} users (one INSERT ... SELECT generate_series), then VACUUM ANALYZE [$(elapsed)]"
seed_started=${SECONDS}
seed_users "${USERS}" "${DISABLED_EVERY}" "${DELETED_EVERY}"
step psql_super users -c "VACUUM (ANALYZE) users" -c "CHECKPOINT" || fail "VACUUM ANALYZE failed"
seed_seconds=$((SECONDS - seed_started))
info "seeded, VACUUM ANALYZE + CHECKPOINT done after ${seed_seconds} s"
# Ids GET /api/users/{id} rotates over: random users that are not soft-deleted (GetUser answers
# 404 for those).
psql_super users -At -c "COPY (SELECT id FROM users WHERE status <> 'deleted'
  ORDER BY random() LIMIT ${ID_COUNT}) TO STDOUT" >"${TMP_DIR}/ids.txt"
ROW_COUNT="$(psql_super users -At -c "SELECT count(*) FROM users")"
# The same ids, numbered, for the *_churn writer.
psql_super users -c "CREATE TABLE bench_churn_ids (pos bigserial PRIMARY KEY, id uuid NOT NULL)" \
  -c "\\copy bench_churn_ids (id) FROM '${TMP_DIR}/ids.txt'" || fail "cannot load the churn ids"

# ---- Token ---------------------------------------------------------------------------------------
jq -n --arg email "${ADMIN_EMAIL}" --rawfile password "${ADMIN_PASSWORD_FILE}" \
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
  [get_user_uncached]="/api/users/{id}"
  [get_user_nocache]="/api/users/{id}"
  [get_user_churn]="/api/users/{id}"
  [me]="/api/me"
  [me_uncached]="/api/me"
  [list]="/api/users?_start=0&_end=25&_sort=createTime&_order=DESC"
  [list_uncached]="/api/users?_start=0&_end=25&_sort=createTime&_order=DESC"
  [list_churn]="/api/users?_start=0&_end=25&_sort=createTime&_order=DESC"
  [search]="/api/users?q=${QUERY_ENCODED}&_start=0&_end=25"
  [search_uncached]="/api/users?q=${QUERY_ENCODED}&_start=0&_end=25"
  [search_churn]="/api/users?q=${QUERY_ENCODED}&_start=0&_end=25"
)
# Which bff each scenario drives (the cached one unless named here).
declare -A TARGET=([get_user_nocache]="${BFF_NOCACHE}" [get_user_uncached]="${BFF_UNCACHED}"
  [me_uncached]="${BFF_UNCACHED}" [list_uncached]="${BFF_UNCACHED}" [search_uncached]="${BFF_UNCACHED}")
declare -A TARGET_PID=([get_user_nocache]="${BFF_NOCACHE_PID}" [get_user_uncached]="${BFF_UNCACHED_PID}"
  [me_uncached]="${BFF_UNCACHED_PID}" [list_uncached]="${BFF_UNCACHED_PID}"
  [search_uncached]="${BFF_UNCACHED_PID}")
ORDER=(healthz get_user get_user_uncached get_user_nocache get_user_churn me me_uncached list
  list_uncached list_churn search search_uncached search_churn)
IFS=',' read -r -a SELECTED <<<"${SCENARIOS}"
for name in "${SELECTED[@]}"; do
  [[ -n "${PATHS[${name}]:-}" ]] || fail "unknown scenario '${name}' (known: ${ORDER[*]})"
done
selected() { [[ ",${SCENARIOS}," == *",$1,"* ]]; }
target() { echo "${TARGET[$1]:-${BFF}}"; }
target_pid() { echo "${TARGET_PID[$1]:-${BFF_PID}}"; }

# Each path once with curl: exactly 200, and the body it should have.
check_path() {
  local name="$1" path="${PATHS[$1]}" status
  path="${path//\{id\}/$(head -n 1 "${TMP_DIR}/ids.txt")}"
  status="$(curl -sS -o "${TMP_DIR}/check.body" -D "${TMP_DIR}/check.headers" -w '%{http_code}' \
    -H "Authorization: Bearer ${BFF_TOKEN}" "$(target "${name}")${path}")"
  [[ "${status}" == 200 ]] || { cat "${TMP_DIR}/check.body" >&2; fail "GET ${path}: ${status}, not 200"; }
  case "${name}" in
    get_user*) jq -e '.id and .email' "${TMP_DIR}/check.body" >/dev/null ;;
    me*) jq -e '.id and .user.email' "${TMP_DIR}/check.body" >/dev/null ;;
    list*) jq -e 'length == 25' "${TMP_DIR}/check.body" >/dev/null &&
      grep -qi '^x-total-count:' "${TMP_DIR}/check.headers" ;;
    search*) jq -e 'length > 0 and length <= 25 and all(.[]; .email | contains($q))' --arg q "${QUERY}" \
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

# The bffs' VmRSS in kB, every 0.2 s, one line per sample and bff: "<time> <pid> <kB>".
(
  while kill -0 "${BFF_PID}" 2>/dev/null; do
    for pid in "${BFF_PID}" "${BFF_NOCACHE_PID}" "${BFF_UNCACHED_PID}"; do
      awk -v t="$(date +%s.%N)" -v pid="${pid}" '/^VmRSS/ {print t, pid, $2}' \
        "/proc/${pid}/status" 2>/dev/null
    done
    sleep 0.2
  done
) >"${TMP_DIR}/rss.txt" &
stack_track $!
rss_max_since() { # LINE PID: max VmRSS in MiB of PID's samples after line LINE
  awk -v from="$1" -v pid="$2" 'NR > from && $2 == pid && $3 > max {max = $3}
    END {printf "%.1f", max / 1024}' "${TMP_DIR}/rss.txt"
}
RSS_IDLE="$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/${BFF_PID}/status")"

# cpu_ticks PID...: user + system clock ticks used so far by these processes (all their threads).
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    # Fields after the ")" that ends the command name: utime is the 12th, stime the 13th.
    fields="$(sed -E 's/.*\) //' "/proc/${pid}/stat" 2>/dev/null)" || continue
    total=$((total + $(awk '{print $12 + $13}' <<<"${fields}")))
  done
  echo "${total}"
}
# The cluster's processes: the postmaster (first line of postmaster.pid) and its children.
pg_pids() {
  local postmaster
  postmaster="$(head -n 1 "${PG_DATA}/postmaster.pid")"
  echo "${postmaster}" "$(pgrep -P "${postmaster}" | paste -sd ' ')"
}
# busy_ticks: clock ticks the whole machine was busy (every CPU; /proc/stat's first line).
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
CLOCK_TICK="$(getconf CLK_TCK)"
declare -A CPU_US=()

# cache_counters BFF_URL: "<record hits> <record misses> <page hits> <page misses> <changes heard>"
# from that bff's users cache and watch metrics (zeros for a bff without them).
cache_counters() {
  curl -fsS "$1/metrics" 2>/dev/null | awk '
    $1 == "bff_users_cache_hits_total" {rh = $2} $1 == "bff_users_cache_misses_total" {rm = $2}
    $1 == "bff_users_page_cache_hits_total" {ph = $2} $1 == "bff_users_page_cache_misses_total" {pm = $2}
    $1 == "bff_users_watch_changes_total" {c = $2}
    END {printf "%d %d %d %d %d", rh, rm, ph, pm, c}'
}
# whole_seconds WRK_DURATION: "10s" or "10" as 10 (what the churn writer's deadline needs).
whole_seconds() {
  [[ "$1" =~ ^([0-9]+)s?$ ]] || fail "WARMUP and DURATION must be whole seconds (10s) for *_churn"
  echo "${BASH_REMATCH[1]}"
}
# start_churn SECONDS: for SECONDS, one session updates a random account of ids.txt (display name,
# version, update time) CHURN_RATE times per second, each in its own transaction, straight in the
# database: the users service hears them through its trigger as it would any writer's, and the
# bff drops what they touch. In the background; CHURN_PID is the psql client.
start_churn() {
  local pause
  pause="$(awk -v r="${CHURN_RATE}" 'BEGIN {printf "%.4f", 1 / r}')"
  psql_super users -c "DO \$\$
DECLARE
  deadline timestamptz := clock_timestamp() + interval '$1 seconds';
  writes bigint := 0;
  id_count bigint;
  target bigint;
BEGIN
  SELECT count(*) INTO id_count FROM bench_churn_ids;
  WHILE clock_timestamp() < deadline LOOP
    target := 1 + floor(random() * id_count)::bigint;
    UPDATE users SET display_name = 'Churn ' || writes, version = version + 1, updated_at = now()
      WHERE id = (SELECT c.id FROM bench_churn_ids c WHERE c.pos = target);
    COMMIT;
    writes := writes + 1;
    PERFORM pg_sleep(${pause});
  END LOOP;
END \$\$" >"${TMP_DIR}/churn.log" 2>&1 &
  CHURN_PID=$!
  stack_track "${CHURN_PID}"
}

BUSY_BEFORE="$(busy_processes)"
UPTIME_BEFORE="$(uptime)"
info "load before the runs: ${UPTIME_BEFORE##*load }"
declare -A RESULT=() RSS_MAX=() ROLES_CALLS=() CACHE=()
FAILED=()
for name in "${ORDER[@]}"; do
  selected "${name}" || continue
  export BFF_PATH="${PATHS[${name}]}"
  url="$(target "${name}")"
  info "${name}: GET ${url}${BFF_PATH} [$(elapsed)]"
  if [[ "${name}" == *_churn ]]; then
    start_churn $(($(whole_seconds "${WARMUP}") + $(whole_seconds "${DURATION}") + 1))
  fi
  if [[ "${WARMUP}" != 0 && "${WARMUP}" != 0s ]]; then
    step wrk -c "${CONNECTIONS}" -t "${THREADS}" -d "${WARMUP}" -s "${LUA_SCRIPT}" "${url}/" \
      >"${TMP_DIR}/wrk_${name}_warmup.txt" 2>&1 || fail "wrk warm-up of ${name} failed"
  fi
  rss_from="$(wc -l <"${TMP_DIR}/rss.txt")"
  cache_from="$(cache_counters "${url}")"
  roles_from="$(grpc_calls "${ROLES_ADMIN_PORT}" GetEffectivePermissions)"
  read -ra PG_PIDS <<<"$(pg_pids)"
  cpu_from="$(cpu_ticks "$(target_pid "${name}")") $(cpu_ticks "${USERS_PID}") $(cpu_ticks "${ROLES_PID}") $(cpu_ticks "${PG_PIDS[@]}") $(busy_ticks)"
  step wrk -c "${CONNECTIONS}" -t "${THREADS}" -d "${DURATION}" --latency -s "${LUA_SCRIPT}" \
    "${url}/" >"${TMP_DIR}/wrk_${name}.txt" 2>&1 || fail "wrk run of ${name} failed"
  cpu_to="$(cpu_ticks "$(target_pid "${name}")") $(cpu_ticks "${USERS_PID}") $(cpu_ticks "${ROLES_PID}") $(cpu_ticks "${PG_PIDS[@]}") $(busy_ticks)"
  CPU_US[${name}]="${cpu_from} ${cpu_to}"
  CACHE[${name}]="${cache_from} $(cache_counters "${url}")"
  if [[ "${name}" == *_churn ]]; then
    wait "${CHURN_PID}" || { cat "${TMP_DIR}/churn.log" >&2; fail "the churn writer failed"; }
  fi
  ROLES_CALLS[${name}]=$(($(grpc_calls "${ROLES_ADMIN_PORT}" GetEffectivePermissions) - roles_from))
  RSS_MAX[${name}]="$(rss_max_since "${rss_from}" "$(target_pid "${name}")")"
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
RSS_ALL="$(rss_max_since 0 "${BFF_PID}")"
BFF_REQUESTS_LOGGED="$(curl -fsS "${BFF}/metrics" | awk '/^bff_http_requests_total/ {
  if ($1 !~ /code="2/) bad += $2; total += $2 } END {printf "%d requests, %d not 2xx", total, bad}')"
USERS_CACHE_COUNTS="$(curl -fsS "${BFF}/metrics" | awk '/^bff_users(_page)?_cache_(hits|misses)_total / {
  printf "%s%s %s", sep, $1, $2; sep = ", " }')"

# ---- Revoke to refusal -----------------------------------------------------------------------------
# REVOKE_ROUNDS grant/revoke cycles of a custom role carrying users:read to a new user, against each
# bff: from RevokeRole's answer to the first 403 of GET /api/users/{id} (bench/bff/revoke_latency.cc).
# Two routes: another user's record (the bff checks users:read, then the users service checks it
# again with its own cache), and the user's own record (GetUser of oneself needs no permission in
# the users service: only the bff's check, hence only its cache, decides).
OTHER_PATH="/api/users/$(head -n 1 "${TMP_DIR}/ids.txt")"
REVOKE_ARGS=(
  --users_target="127.0.0.1:${USERS_GRPC_PORT}" --roles_target="127.0.0.1:${ROLES_GRPC_PORT}"
  --email="${ADMIN_EMAIL}" --password_file="${ADMIN_PASSWORD_FILE}"
  --permission=users:read --rounds="${REVOKE_ROUNDS}" --max_wait="${REVOKE_MAX_WAIT}"
)
REVOKE_RUNS=(
  "${BFF_PORT}|${OTHER_PATH}|service key (watch, cache); another user's record"
  "${BFF_PORT}|/api/users/{self}|service key (watch, cache); own record (only the bff checks)"
  "${BFF_NOCACHE_PORT}|${OTHER_PATH}|no key (no cache); another user's record"
  "${BFF_NOCACHE_PORT}|/api/users/{self}|no key (no cache); own record (only the bff checks)"
)
info "revoke to refusal: ${REVOKE_ROUNDS} rounds per bff and route [$(elapsed)]"
revoke_rc=0
header=--header
: >"${TMP_DIR}/revoke.md"
: >"${TMP_DIR}/revoke.log"
for run in "${REVOKE_RUNS[@]}"; do
  IFS='|' read -r port path label <<<"${run}"
  step "${TMP_DIR}/bin/revoke_latency" "${REVOKE_ARGS[@]}" --bff="127.0.0.1:${port}" \
    --path="${path}" --label="${label}" ${header} >>"${TMP_DIR}/revoke.md" \
    2>>"${TMP_DIR}/revoke.log" || revoke_rc=$?
  header=
done
cat "${TMP_DIR}/revoke.log" >&2
cat "${TMP_DIR}/revoke.md"
if ((revoke_rc != 0)); then
  FAILED+=("revoke_latency exit ${revoke_rc}")
fi
WATCHES_AT_END="$(open_permission_watches)"

# ---- Report --------------------------------------------------------------------------------------
# field NAME KEY: a number of the RESULT line of scenario NAME.
field() { sed -E "s/.* $2=([0-9]+).*/\1/" <<<"${RESULT[$1]}"; }
ms() { awk -v us="$1" 'BEGIN {printf "%.2f", us / 1000}'; }
declare -A LABEL=(
  [healthz]="\`/healthz\`"
  [get_user]="\`GET /api/users/{id}\`"
  [get_user_uncached]="\`GET /api/users/{id}\`, bff_uncached (no users cache)"
  [get_user_nocache]="\`GET /api/users/{id}\`, bff_nocache (no service key: no cache at all)"
  [get_user_churn]="\`GET /api/users/{id}\` while a writer updates those accounts (CHURN_RATE=${CHURN_RATE})"
  [me]="\`GET /api/me\`"
  [me_uncached]="\`GET /api/me\`, bff_uncached"
  [list]="25-row list, \`_sort=createTime&_order=DESC\`"
  [list_uncached]="25-row list, bff_uncached"
  [list_churn]="25-row list while a writer updates accounts (CHURN_RATE=${CHURN_RATE})"
  [search]="25-row text search, \`q=${QUERY}\`"
  [search_uncached]="25-row text search, bff_uncached"
  [search_churn]="25-row text search while a writer updates accounts (CHURN_RATE=${CHURN_RATE})"
)
COMMAND="USERS=${USERS} CONNECTIONS=${CONNECTIONS} THREADS=${THREADS} WARMUP=${WARMUP} CHURN_RATE=${CHURN_RATE}"
COMMAND+=" DURATION=${DURATION} REVOKE_ROUNDS=${REVOKE_ROUNDS} bench/bff/run.sh"
{
  echo "# BFF gateway benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Command: \`${COMMAND}\` ($(report_revision bff services libs))"
  echo
  echo "Machine: $(report_machine);"
  echo "wrk, the bffs, the users and roles services and PostgreSQL all share these CPUs, with whatever else runs."
  echo
  echo "\`uptime\` before the runs: \`${UPTIME_BEFORE}\`"
  echo
  echo "\`uptime\` after the runs: \`${UPTIME_AFTER}\`"
  echo
  echo "Processes above 5% CPU (1 s \`top\` sample) before the runs: ${BUSY_BEFORE}; after: ${BUSY_AFTER}."
  echo
  echo "Data: ${ROW_COUNT} rows (${USERS} seeded + the bootstrap admin; every ${DISABLED_EVERY}th disabled, every ${DELETED_EVERY}th soft-deleted); seeded with VACUUM ANALYZE in ${seed_seconds} s."
  echo "bff: \`${BFF_ARGS[*]}\` (ports aside, every other flag at its default), with \`--service_key_file=<throwaway Ed25519 key> --service_key_id=bff-service\`; bff_uncached: the same with \`--users_cache=false\` (permissions cached, user records and pages asked of the users service every time); bff_nocache: the same without the key (nothing cached)."
  echo "users service: \`--roles_address\` of the roles service, a service key (permission watch), \`--db_pool_size=${DB_POOL_SIZE}\`; roles service: \`--service_jwks_file\` trusting both keys; PostgreSQL: \`${PG_OPTIONS//-c /}\`."
  echo "Token: POST /api/auth/token as the bootstrap admin (expires in ${TOKEN_EXPIRES_IN} s), sent as \`Authorization: Bearer\`."
  echo "wrk: \`wrk -c ${CONNECTIONS} -t ${THREADS} -d ${DURATION} --latency -s bench/bff/request.lua\` per path, after a ${WARMUP} warm-up run that is not counted; \`GET /api/users/{id}\` rotates over ${ID_COUNT} random seeded ids."
  echo "roles calls: GetEffectivePermissions calls the roles service handled during each measured run (the bff's and the users service's cache misses; without a cache, one per request)."
  echo
  echo "| path | requests | req/s | mean ms | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors | X-Total-Count | roles calls | bff RSS max MiB |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  for name in "${ORDER[@]}"; do
    selected "${name}" || continue
    requests="$(field "${name}" requests)"
    rate="$(awk -v n="${requests}" -v us="$(field "${name}" duration_us)" 'BEGIN {printf "%.0f", n / (us / 1e6)}')"
    socket=$(($(field "${name}" connect) + $(field "${name}" read) + $(field "${name}" write) + $(field "${name}" timeout)))
    echo "| ${LABEL[${name}]} | ${requests} | ${rate} | $(ms "$(field "${name}" mean_us)") | $(ms "$(field "${name}" p50_us)") | $(ms "$(field "${name}" p90_us)") | $(ms "$(field "${name}" p99_us)") | $(ms "$(field "${name}" max_us)") | $(field "${name}" status_errors) | ${socket} | ${TOTALS[${name}]:--} | ${ROLES_CALLS[${name}]} | ${RSS_MAX[${name}]} |"
  done
  echo
  echo "CPU per request during each measured run, in µs: each process's user + system time (\`/proc/<pid>/stat\`, all threads; PostgreSQL: the postmaster and its children) divided by wrk's request count. \"machine\" is every CPU's busy time (\`/proc/stat\`), so it includes wrk and anything else running; \"machine − ours\" is that remainder."
  echo
  echo "| path | bff | users | roles | PostgreSQL | ours (sum) | machine | machine − ours |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|"
  for name in "${ORDER[@]}"; do
    selected "${name}" || continue
    awk -v label="${LABEL[${name}]}" -v n="$(field "${name}" requests)" -v hz="${CLOCK_TICK}" \
      -v ticks="${CPU_US[${name}]}" 'BEGIN {
        split(ticks, t, " "); us = 1e6 / hz / n; ours = 0
        for (i = 1; i <= 4; i++) { d[i] = (t[i + 5] - t[i]) * us; ours += d[i] }
        machine = (t[10] - t[5]) * us
        printf "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |\n", label, d[1], d[2], d[3], d[4], ours, machine, machine - ours
      }'
  done
  echo
  echo "The users cache during each measured run (\`/metrics\` of the bff driven, before and after): lookups answered from the cached records and pages, lookups that asked the users service, and the changes its \`WatchUserChanges\` stream brought (each drops one record and every page)."
  echo
  echo "| path | record hits | record misses | page hits | page misses | hit rate | changes heard |"
  echo "|---|--:|--:|--:|--:|--:|--:|"
  for name in "${ORDER[@]}"; do
    selected "${name}" || continue
    awk -v label="${LABEL[${name}]}" -v c="${CACHE[${name}]}" 'BEGIN {
        split(c, v, " "); for (i = 1; i <= 5; i++) d[i] = v[i + 5] - v[i]
        asked = d[1] + d[2] + d[3] + d[4]
        rate = asked > 0 ? sprintf("%.1f%%", 100 * (d[1] + d[3]) / asked) : "–"
        printf "| %s | %d | %d | %d | %d | %s | %d |\n", label, d[1], d[2], d[3], d[4], rate, d[5]
      }'
  done
  echo
  echo "bff memory: VmRSS ${RSS_IDLE} MiB idle before the runs, ${RSS_ALL} MiB at most during them (sampled every 0.2 s); at the end: ${BFF_STATUS}"
  echo "bff /metrics: ${BFF_REQUESTS_LOGGED} (warm-ups and checks included); users cache: ${USERS_CACHE_COUNTS}."
  echo
  echo "## Revoke to refusal"
  echo
  echo "\`revoke_latency\`, ${REVOKE_ROUNDS} rounds per bff and route: a new user logs in through the bff (POST /api/auth/token) each round, a custom role carrying \`users:read\` is granted (GrantRole as the admin) and the route polled until 200, then the grant is revoked (RevokeRole) and the same GET sent back to back on one kept-alive connection until it answers 403. Times are from RevokeRole's (GrantRole's) answer to the first 403 (200); a round that sees no change within ${REVOKE_MAX_WAIT} fails. \"200s after the revoke\": requests the revoked user still got through. \"First 403 by\": whether the bff's own check refused (\"this needs the permission\") or the users service's, passed through (\"this call needs permission\"). Routes: \`GET ${OTHER_PATH}\` (another user: the bff and the users service both check \`users:read\`, each with its own cache when it has a watch) and \`GET /api/users/{own id}\` (the users service lets anyone read their own record: only the bff decides). Permission watches open on roles at the end: ${WATCHES_AT_END} (users' and the bff's)."
  echo
  cat "${TMP_DIR}/revoke.md"
  echo
  echo '```'
  cat "${TMP_DIR}/revoke.log"
  echo '```'
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
  fail "not every response was 2xx, wrk saw errors, or revoke rounds failed: ${FAILED[*]}"
fi
