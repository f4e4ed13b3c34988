# shellcheck shell=bash disable=SC2034  # The variables set here are read by the scripts.
# bench/lib/stack.sh: what the benchmark scripts share (bench/{users,bff,roles}/run.sh): the
# cleanup trap and time limit, free ports, the build and binary copies, a throwaway PostgreSQL 15
# cluster, the users seed, and the users + roles services started the way ./dev and the e2e
# stack start them (users asks roles for its callers' permissions; both watch permission changes
# with a service key that roles trusts through --service_jwks_file).
#
# Usage, from a script that has set REPO_ROOT:
#
#   BENCH_NAME="users bench"                     # prefix of messages
#   source "${REPO_ROOT}/bench/lib/stack.sh"    # also sources tools/dev/lib/common.sh
#   stack_begin                                  # traps (cleanup on exit), TIME_LIMIT watchdog
#   stack_build //services/users:users_service ... # bazel build (BUILD=1), copies into TMP_DIR/bin
#   pg_start                                     # PG_PORT, PG_OPTIONS, database backoffice
#   start_users_and_roles                        # USERS_GRPC_PORT, ROLES_GRPC_PORT, ADMIN_ID, ...
#   seed_users 100000 20 100
#
# Settings read (environment, with these defaults): TIME_LIMIT (1800), KEEP_TMP (0), BUILD (1),
# SHARED_BUFFERS (256MB), DB_POOL_SIZE (16).
#
# Everything started through these functions (services, `step` commands, PostgreSQL, processes
# passed to stack_track) is stopped, newest first, and TMP_DIR deleted, on exit, failure, Ctrl-C
# or when TIME_LIMIT runs out.

# is_root, as_root, as_pg_owner, port_in_use, info: the helpers ./dev uses for its cluster.
# shellcheck source=tools/dev/lib/common.sh
source "${REPO_ROOT}/tools/dev/lib/common.sh"

BENCH_NAME="${BENCH_NAME:-bench}"
TIME_LIMIT="${TIME_LIMIT:-1800}"
KEEP_TMP="${KEEP_TMP:-0}"
BUILD="${BUILD:-1}"
SHARED_BUFFERS="${SHARED_BUFFERS:-256MB}"
DB_POOL_SIZE="${DB_POOL_SIZE:-16}"

PG_BIN="/usr/lib/postgresql/15/bin"
ADMIN_EMAIL="bench-admin@example.com"
SEED_USERS_SQL="${REPO_ROOT}/services/users/store/testing/seed_users.sql"

TMP_DIR=""
PG_DATA=""
PG_STARTED=0
STACK_PIDS=()
STEP_PID=""
WATCHDOG_PID=""

# fail MESSAGE: prints the error and exits non-zero (the trap cleans up).
fail() {
  printf '%s: error: %s\n' "${BENCH_NAME}" "$*" >&2
  exit 1
}

# require_whole_numbers NAME...: each variable NAME must hold a whole number.
require_whole_numbers() {
  local name
  for name in "$@"; do
    [[ "${!name}" =~ ^[0-9]+$ ]] || fail "${name} must be a whole number, not '${!name}'"
  done
}

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

# stack_track PID: stop PID at cleanup (processes are stopped newest first).
stack_track() {
  STACK_PIDS+=("$1")
}

stack_cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  set +e
  if [[ -n "${STEP_PID}" ]]; then
    stop_pid "${STEP_PID}" 10
  fi
  for ((i = ${#STACK_PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${STACK_PIDS[i]}" 15
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
      echo "${BENCH_NAME}: kept ${TMP_DIR}" >&2
    else
      rm -rf "${TMP_DIR}"
    fi
  fi
  exit "${rc}"
}

# stack_begin: installs the cleanup trap and the TIME_LIMIT watchdog, starts the clock.
stack_begin() {
  trap stack_cleanup EXIT
  trap 'echo "${BENCH_NAME}: interrupted" >&2; exit 130' INT
  trap 'echo "${BENCH_NAME}: stopped (time limit or SIGTERM)" >&2; exit 143' TERM
  # The time limit: TERM to this script, whose trap cleans up.
  (
    trap 'kill "${sleeper}" 2>/dev/null; exit 0' TERM
    sleep "${TIME_LIMIT}" &
    sleeper=$!
    wait "${sleeper}"
    echo "${BENCH_NAME}: TIME_LIMIT of ${TIME_LIMIT} s reached" >&2
    kill -TERM "$$"
  ) &
  WATCHDOG_PID=$!
  START_SECONDS=${SECONDS}
}

# elapsed: seconds since stack_begin, for progress lines.
elapsed() { echo "$((SECONDS - START_SECONDS)) s"; }

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

# free_port VAR: sets VAR to a TCP port nothing listens on and no other VAR got, below the
# kernel's ephemeral range (outgoing connections take their local ports there, and a port one of
# them holds cannot be bound) and in no socket `ss` lists. A port taken between this check and
# its use makes the start fail clearly.
USED_PORTS=" "
free_port() {
  local port i low=32768 span
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  span=$((low > 11000 ? low - 10000 : 1000))
  for ((i = 0; i < 100; i++)); do
    port=$((10000 + (RANDOM * 32768 + RANDOM) % span))
    if [[ "${USED_PORTS}" != *" ${port} "* ]] && ! port_in_use "${port}" &&
      ! ss -Htan 2>/dev/null | awk -v p=":${port}" '$4 ~ p "$" {found = 1} END {exit !found}'; then
      USED_PORTS+="${port} "
      printf -v "$1" '%s' "${port}"
      return 0
    fi
  done
  fail "no free port found"
}

# without_inherited_fds COMMAND...: runs COMMAND with only stdin, stdout and stderr open. A Bazel
# client that has to start a new server hands it the descriptors it inherited, and the server
# (alive for hours) then holds whatever they lock: under `flock /tmp/backoffice-bench.lock
# bench/x/run.sh`, the benchmarks' lock, so every later benchmark waited for the idle server.
without_inherited_fds() {
  (
    local fd
    for fd in /proc/self/fd/*; do
      fd="${fd##*/}"
      if ((fd > 2)); then
        eval "exec ${fd}<&-"
      fi
    done
    exec "$@"
  )
}

# stack_build TARGET...: bazel build of the targets (when BUILD=1), then copies of their binaries
# into a new TMP_DIR/bin (a rebuild by someone else during the run cannot swap them). TARGET is
# //pkg:name; the copy is TMP_DIR/bin/name.
stack_build() {
  local target output
  cd "${REPO_ROOT}" || fail "cannot enter ${REPO_ROOT}"
  if ((BUILD)); then
    info "building $*"
    step without_inherited_fds bazel build "$@" || fail "bazel build failed"
  fi
  TMP_DIR="$(mktemp -d "/tmp/${BENCH_NAME// /-}.XXXXXX")"
  chmod 0755 "${TMP_DIR}"
  mkdir -p "${TMP_DIR}/bin"
  for target in "$@"; do
    output="${target#//}"
    output="${output/://}"
    [[ -x "bazel-bin/${output}" ]] || fail "bazel-bin/${output} missing (run with BUILD=1)"
    cp "bazel-bin/${output}" "${TMP_DIR}/bin/"
  done
}

# pg_start: a new PostgreSQL 15 cluster in TMP_DIR/pg on a free 127.0.0.1 port (PG_PORT), run by
# the postgres user when this runs as root, with production durability (fsync, synchronous_commit
# and full_page_writes on), SHARED_BUFFERS, and a larger WAL budget so bulk seeding does not
# checkpoint every few seconds. Creates role and database backoffice. Sets PG_OPTIONS.
pg_start() {
  [[ -x "${PG_BIN}/initdb" ]] || fail "${PG_BIN}/initdb not found: is postgresql-15 installed?"
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
  PSQL_DB=postgres psql_super public -c "CREATE ROLE backoffice LOGIN" \
    -c "CREATE DATABASE backoffice OWNER backoffice"
}

# psql_super SCHEMA ARGS...: psql as the superuser into the benchmark database (PSQL_DB to pick
# another), search_path SCHEMA.
psql_super() {
  local schema="$1"
  shift
  PGOPTIONS="-c search_path=${schema}" "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
    -p "${PG_PORT}" -U postgres -d "${PSQL_DB:-backoffice}" "$@"
}

# seed_users COUNT DISABLED_EVERY DELETED_EVERY: inserts COUNT users with the seed helper's own
# statement (services/users/store/testing/seed_users.sql; parameters as in seed_users.h):
# user<i>@example.com, "User i", one creation second apart from 2024-01-01, every n-th disabled
# / soft-deleted (0: none). Sets SEED_SECONDS.
seed_users() {
  local started=${SECONDS}
  {
    echo "PREPARE seed(bigint, bigint, text, timestamptz, bigint, bigint, bigint) AS"
    cat "${SEED_USERS_SQL}"
    echo ";"
    echo "EXECUTE seed(1, $1, 'example.com', '2024-01-01T00:00:00Z', 1, $2, $3);"
  } >"${TMP_DIR}/seed_users.sql"
  step psql_super users -f "${TMP_DIR}/seed_users.sql" ||
    fail "seeding users failed (log: ${TMP_DIR}/postgres.log)"
  SEED_SECONDS=$((SECONDS - started))
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

# start_process NAME BINARY READY_URL ARGS...: starts TMP_DIR/bin/BINARY with ARGS (output to
# TMP_DIR/NAME.log), tracks it, waits until READY_URL answers 2xx. Sets LAST_PID.
start_process() {
  local name="$1" binary="$2" url="$3"
  shift 3
  "${TMP_DIR}/bin/${binary}" "$@" >"${TMP_DIR}/${name}.log" 2>&1 &
  LAST_PID=$!
  stack_track "${LAST_PID}"
  wait_ready "${url}" "${LAST_PID}" "${name}" "${TMP_DIR}/${name}.log"
}

# start_service NAME ADMIN_PORT ARGS...: a gRPC service of the platform (binary NAME) with the
# benchmark's database, loopback binding, DB_POOL_SIZE, warn logging; ready on ADMIN_PORT.
start_service() {
  local name="$1" admin_port="$2"
  shift 2
  start_process "${name}" "${name}" "http://127.0.0.1:${admin_port}/readyz" "$@" \
    --bind_address=127.0.0.1 --admin_port="${admin_port}" \
    --db_host=127.0.0.1 --db_port="${PG_PORT}" --db_name=backoffice --db_user=backoffice \
    --db_pool_size="${DB_POOL_SIZE}" --log_level=warn --shutdown_grace=5s
}

# service_key NAME: a throwaway Ed25519 private key, TMP_DIR/keys/NAME.pem (mode 600), once.
service_key() {
  (umask 077 && mkdir -p "${TMP_DIR}/keys")
  if [[ ! -s "${TMP_DIR}/keys/$1.pem" ]]; then
    (umask 077 && openssl genpkey -algorithm ed25519 -out "${TMP_DIR}/keys/$1.pem") ||
      fail "openssl genpkey failed"
  fi
}

# ed25519_jwk NAME: the public JWK of TMP_DIR/keys/NAME.pem, kid NAME (as tools/dev/lib/services.sh).
ed25519_jwk() {
  local x
  x="$(openssl pkey -in "${TMP_DIR}/keys/$1.pem" -pubout -outform DER | tail -c 32 |
    base64 | tr '+/' '-_' | tr -d '=\n')"
  printf '{"kty":"OKP","crv":"Ed25519","x":"%s","kid":"%s","use":"sig","alg":"EdDSA"}' \
    "${x}" "$1"
}

# start_users_and_roles: the real users_service (bootstrap admin with a random password, a random
# signing-key sealing key, --roles_address of the roles service, its service key users-service,
# --service_jwks_file trusting the same keys as roles, so a BFF can WatchUserChanges)
# and then the real roles_service (--users_address, --bootstrap_admin_user_id = the admin's id
# read from the users schema as ./dev's roles_args does, --service_jwks_file trusting the keys
# users-service and bff-service). Both binaries must be in TMP_DIR/bin. USERS_EXTRA_ARGS and
# ROLES_EXTRA_ARGS (arrays, optional) are appended to each service's flags (bench/audit: outbox
# relays); ports already set are kept. Sets USERS_GRPC_PORT,
# USERS_ADMIN_PORT, USERS_PID, ROLES_GRPC_PORT, ROLES_ADMIN_PORT, ROLES_PID, ADMIN_ID,
# ADMIN_PASSWORD_FILE, and BFF_KEY_FILE (the key a BFF watches with, kid bff-service).
start_users_and_roles() {
  # Ports a script picked already (another service had to know them first) are kept.
  [[ -n "${USERS_GRPC_PORT:-}" ]] || free_port USERS_GRPC_PORT
  [[ -n "${USERS_ADMIN_PORT:-}" ]] || free_port USERS_ADMIN_PORT
  [[ -n "${ROLES_GRPC_PORT:-}" ]] || free_port ROLES_GRPC_PORT
  [[ -n "${ROLES_ADMIN_PORT:-}" ]] || free_port ROLES_ADMIN_PORT
  ADMIN_PASSWORD_FILE="${TMP_DIR}/admin.password"
  (umask 077 && head -c 32 /dev/urandom >"${TMP_DIR}/signing.key" &&
    head -c 18 /dev/urandom | base64 | tr '+/' 'xy' >"${ADMIN_PASSWORD_FILE}")
  service_key users-service
  service_key bff-service
  BFF_KEY_FILE="${TMP_DIR}/keys/bff-service.pem"
  printf '{"keys":[%s,%s]}\n' "$(ed25519_jwk users-service)" "$(ed25519_jwk bff-service)" \
    >"${TMP_DIR}/keys/roles-service-keys.jwks"

  # users connects to roles lazily; its permission watch retries (with backoff) until roles is up.
  info "users_service: gRPC 127.0.0.1:${USERS_GRPC_PORT}, roles at 127.0.0.1:${ROLES_GRPC_PORT}"
  start_service users_service "${USERS_ADMIN_PORT}" --grpc_port="${USERS_GRPC_PORT}" \
    --signing_key_encryption_key_file="${TMP_DIR}/signing.key" \
    --bootstrap_admin_email="${ADMIN_EMAIL}" \
    --bootstrap_admin_password_file="${ADMIN_PASSWORD_FILE}" \
    --roles_address="127.0.0.1:${ROLES_GRPC_PORT}" \
    --service_key_file="${TMP_DIR}/keys/users-service.pem" --service_key_id=users-service \
    --service_jwks_file="${TMP_DIR}/keys/roles-service-keys.jwks" \
    "${USERS_EXTRA_ARGS[@]+"${USERS_EXTRA_ARGS[@]}"}"
  USERS_PID="${LAST_PID}"

  ADMIN_ID="$(psql_super users -At -c \
    "SELECT id FROM users WHERE lower(email) = lower('${ADMIN_EMAIL}')")"
  [[ -n "${ADMIN_ID}" ]] || fail "the bootstrap admin was not created"
  info "roles_service: gRPC 127.0.0.1:${ROLES_GRPC_PORT}, bootstrap admin ${ADMIN_ID}"
  start_service roles_service "${ROLES_ADMIN_PORT}" --grpc_port="${ROLES_GRPC_PORT}" \
    --users_address="127.0.0.1:${USERS_GRPC_PORT}" --bootstrap_admin_user_id="${ADMIN_ID}" \
    --service_jwks_file="${TMP_DIR}/keys/roles-service-keys.jwks" \
    "${ROLES_EXTRA_ARGS[@]+"${ROLES_EXTRA_ARGS[@]}"}"
  ROLES_PID="${LAST_PID}"
  wait_permission_watchers 1
}

# open_permission_watches: WatchPermissionChanges streams open on the roles service now (from its
# /metrics: started minus handled).
open_permission_watches() {
  curl -fsS "http://127.0.0.1:${ROLES_ADMIN_PORT}/metrics" 2>/dev/null | awk '
    /grpc_method="WatchPermissionChanges"/ && /^grpc_server_started_total/ { started += $NF }
    /grpc_method="WatchPermissionChanges"/ && /^grpc_server_handled_total/ { handled += $NF }
    END { print started - handled + 0 }'
}

# wait_permission_watchers N: waits (at most 30 s) until N permission watches are open on roles,
# so callers cache permissions from the first measured call (a watcher retries with a backoff of
# up to 5 s while roles is not up yet).
wait_permission_watchers() {
  # shellcheck disable=SC2016  # expanded by poll_until's eval, each time
  poll_until 30 "$1 WatchPermissionChanges streams open on roles" \
    '(($(open_permission_watches) >= '"$1"'))'
}

# poll_until SECONDS WHAT CONDITION: evaluates the shell CONDITION every 0.1 s until it holds;
# fails naming WHAT after SECONDS.
poll_until() {
  local i
  for ((i = 0; i < $1 * 10; i++)); do
    if eval "$3"; then
      return 0
    fi
    sleep 0.1
  done
  fail "not after $1 s: $2"
}

# grpc_calls SERVICE_ADMIN_PORT METHOD: calls of METHOD the service has handled so far.
grpc_calls() {
  curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null | awk -v m="grpc_method=\"$2\"" '
    /^grpc_server_handled_total/ && index($0, m) { n += $NF } END { print n + 0 }'
}

# busy_processes: what used at least 5% of a CPU over one second (other work on a shared machine).
busy_processes() {
  top -b -n 2 -d 1 -o %CPU | awk '/^top -/ { frame++; table = 0; next }
    frame == 2 && $1 == "PID" { table = 1; next }
    table && $9 + 0 >= 5 { printf "%s%s %s%%", sep, $12, $9; sep = ", " }
    END { if (!sep) printf "none" }'
}

# report_revision DIR...: "git <short rev>", plus a note when DIRs have uncommitted changes.
report_revision() {
  printf 'git %s' "$(git -C "${REPO_ROOT}" rev-parse --short HEAD)"
  if ! git -C "${REPO_ROOT}" diff --quiet HEAD -- "$@" 2>/dev/null; then
    printf ', uncommitted changes in %s' "${*/%//}"
  fi
}

# report_machine: CPUs, model, memory, kernel.
report_machine() {
  printf '%s CPUs (%s), %s RAM, %s' "$(nproc)" \
    "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
    "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)" "$(uname -sr)"
}

# process_memory PID: its VmRSS and VmHWM.
process_memory() {
  awk '/^VmRSS|^VmHWM/ {printf "%s %s %s; ", $1, $2, $3}' "/proc/$1/status"
}
