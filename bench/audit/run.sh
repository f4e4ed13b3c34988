#!/usr/bin/env bash
# bench/audit/run.sh: the audit service benchmark in one command (see bench/README.md).
#
#   flock -o /tmp/backoffice-bench.lock bench/audit/run.sh               # 10,000,000 events
#   EVENTS=1000000 DURATION=5s RELAY_DURATION=10s flock -o /tmp/backoffice-bench.lock bench/audit/run.sh
#
# (flock: benchmarks on this shared machine take turns; the script does not take the lock itself,
# so it cannot deadlock under a caller's flock. -o: the lock's descriptor is not inherited, so no
# long-lived process started by the run, such as a Bazel server, can keep holding the lock.)
#
# Builds the three services and the tools with Bazel, starts a throwaway PostgreSQL 15 cluster in
# a temporary folder on a free loopback port (bench/lib/stack.sh), then:
#   1. starts the real audit_service (--service_jwks_file trusting a throwaway Ed25519 key
#      audit-bench the driver appends with, and the users' and roles' relay keys; a checkpoint
#      key; the users and roles addresses, connected lazily);
#   2. seeds EVENTS hash-chained events by COPY (bench/audit/seed_events.cc: the chain hashes are
#      computed with the audit store's own canonical encoding), then VACUUM (ANALYZE), CHECKPOINT;
#   3. starts users_service and roles_service (bootstrap admin with audit:read) with their outbox
#      relays shipping to the audit service, and seeds RELAY_USERS users to update;
#   4. runs the driver (bench/audit/audit_bench.cc) once per phase: append (AppendEvents of
#      BATCHES events from CONCURRENCY callers), query (first pages filtered by resource, actor,
#      action, none; a deep page by token; CONCURRENCY callers, then one), verify (VerifyChain over
#      the whole chain in pieces of VERIFY_PIECE), relay (UpdateUser at RELAY_RATE/s for
#      RELAY_DURATION, each change's audit event polled until queryable; the users outbox gauges
#      sampled; the lag of every event from the database);
#   5. EXPLAIN (ANALYZE, BUFFERS) of the query statements (built by the store's own builder) and
#      of the verification walk's statement;
# and writes a Markdown report to RESULTS (printed at the end too).
#
# Everything it started is stopped, and the temporary folder deleted, on success, failure,
# Ctrl-C or when TIME_LIMIT runs out.
#
# Settings (environment):
#   EVENTS=10000000        events seeded (at least 100,000: filters must fill a page)
#   PHASES=append,query,verify,relay   phases to run, in this order
#   CONCURRENCY=16 CHANNELS=4          query callers (threads); connections of append and query
#   APPEND_CONCURRENCY=4,16            append callers, one pass over BATCHES each
#   WARMUP=2s DURATION=10s             warm-up and measured window of each load scenario
#   BATCHES=1,100,500      events per AppendEvents call, one scenario each
#   PAGE_SIZE=50 DEEP_ROWS=100000      query page size; rows before the deep page
#   VERIFY_PIECE=1000000   events per VerifyChain call (the API's maximum)
#   RELAY_RATE=50 RELAY_DURATION=30s RELAY_USERS=1000   the relay-lag load
#   SHARED_BUFFERS=256MB DB_POOL_SIZE=16   PostgreSQL shared_buffers; each service's pool
#   TIME_LIMIT=2400        seconds the whole run may take, build included
#   RESULTS=/tmp/audit_bench_<time>.md   where the report goes
#   BUILD=1 KEEP_TMP=0     0: use the binaries in bazel-bin / 1: keep the temporary folder
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
readonly REPO_ROOT
BENCH_NAME="audit bench"
TIME_LIMIT="${TIME_LIMIT:-2400}"
# shellcheck source=bench/lib/stack.sh
source "${REPO_ROOT}/bench/lib/stack.sh"

EVENTS="${EVENTS:-10000000}"
PHASES="${PHASES:-append,query,verify,relay}"
CONCURRENCY="${CONCURRENCY:-16}"
APPEND_CONCURRENCY="${APPEND_CONCURRENCY:-4,16}"
CHANNELS="${CHANNELS:-4}"
WARMUP="${WARMUP:-2s}"
DURATION="${DURATION:-10s}"
BATCHES="${BATCHES:-1,100,500}"
PAGE_SIZE="${PAGE_SIZE:-50}"
DEEP_ROWS="${DEEP_ROWS:-100000}"
VERIFY_PIECE="${VERIFY_PIECE:-1000000}"
RELAY_RATE="${RELAY_RATE:-50}"
RELAY_DURATION="${RELAY_DURATION:-30s}"
RELAY_USERS="${RELAY_USERS:-1000}"
RESULTS="${RESULTS:-/tmp/audit_bench_$(date -u +%Y%m%dT%H%M%SZ).md}"

VERIFY_SQL="${REPO_ROOT}/services/audit/store/queries/select_chain_range.sql"

require_whole_numbers EVENTS CONCURRENCY CHANNELS PAGE_SIZE DEEP_ROWS VERIFY_PIECE RELAY_RATE \
  RELAY_USERS DB_POOL_SIZE TIME_LIMIT
((EVENTS >= 100000)) || fail "EVENTS must be at least 100000"
((DEEP_ROWS < EVENTS)) || fail "DEEP_ROWS must be below EVENTS"
((VERIFY_PIECE >= 1 && VERIFY_PIECE <= 1000000)) || fail "VERIFY_PIECE must be 1 to 1000000"
has_phase() { [[ ",${PHASES}," == *",$1,"* ]]; }

stack_begin
stack_build //services/users:users_service //services/roles:roles_service \
  //services/audit:audit_service //bench/audit:audit_bench //bench/audit:seed_events \
  //bench/audit:explain_script
pg_start

# ---- Keys and ports ------------------------------------------------------------------------------
# audit-bench: the driver's AppendEvents key; users-relay, roles-relay: the outbox relays' keys;
# audit-checkpoint: the checkpoint signing key.
for key in audit-bench users-relay roles-relay audit-checkpoint; do
  service_key "${key}"
done
printf '{"keys":[%s,%s,%s]}\n' "$(ed25519_jwk audit-bench)" "$(ed25519_jwk users-relay)" \
  "$(ed25519_jwk roles-relay)" >"${TMP_DIR}/keys/audit-service-keys.jwks"
# users and roles need the audit address before it starts, and audit theirs: all picked now.
free_port USERS_GRPC_PORT
free_port USERS_ADMIN_PORT
free_port ROLES_GRPC_PORT
free_port ROLES_ADMIN_PORT
free_port AUDIT_GRPC_PORT
free_port AUDIT_ADMIN_PORT

# ---- The audit service ---------------------------------------------------------------------------
info "audit_service: gRPC 127.0.0.1:${AUDIT_GRPC_PORT} [$(elapsed)]"
start_service audit_service "${AUDIT_ADMIN_PORT}" --grpc_port="${AUDIT_GRPC_PORT}" \
  --users_address="127.0.0.1:${USERS_GRPC_PORT}" --roles_address="127.0.0.1:${ROLES_GRPC_PORT}" \
  --service_jwks_file="${TMP_DIR}/keys/audit-service-keys.jwks" \
  --checkpoint_key_file="${TMP_DIR}/keys/audit-checkpoint.pem"
AUDIT_PID="${LAST_PID}"

# ---- Seed ----------------------------------------------------------------------------------------
# Event times from the start of this month (its partition exists: the service creates the current
# month's at start) to a minute ago; ingest times 20 ms after each.
LAYOUT_FROM="$(date -u +%Y-%m-01T00:00:00Z)"
LAYOUT_TO="$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)"
LAYOUT_ARGS=(--events="${EVENTS}" --layout_from="${LAYOUT_FROM}" --layout_to="${LAYOUT_TO}")
info "seeding ${EVENTS} events by COPY, event times ${LAYOUT_FROM} to ${LAYOUT_TO} [$(elapsed)]"
seed_started=${SECONDS}
step "${TMP_DIR}/bin/seed_events" \
  --conninfo="host=127.0.0.1 port=${PG_PORT} dbname=backoffice user=postgres" \
  --events="${EVENTS}" --from="${LAYOUT_FROM}" --to="${LAYOUT_TO}" \
  >"${TMP_DIR}/seed.out" 2>"${TMP_DIR}/seed.log" ||
  { tail -n 5 "${TMP_DIR}/seed.log" >&2; fail "seeding events failed"; }
COPY_SECONDS="$(tail -n 1 "${TMP_DIR}/seed.out")"
vacuum_started=${SECONDS}
step psql_super audit -c "VACUUM (ANALYZE) events" -c "VACUUM (ANALYZE) event_ids" \
  -c "CHECKPOINT" || fail "VACUUM failed"
VACUUM_SECONDS=$((SECONDS - vacuum_started))
EVENTS_SEED_SECONDS=$((SECONDS - seed_started))
SIZES="$(psql_super audit -At -F '|' -c "
  SELECT pg_size_pretty(sum(pg_table_size(inhrelid))), pg_size_pretty(sum(pg_indexes_size(inhrelid))),
         pg_size_pretty(pg_table_size('event_ids')), pg_size_pretty(pg_indexes_size('event_ids'))
  FROM pg_inherits WHERE inhparent = 'events'::regclass")"
IFS='|' read -r EVENTS_HEAP EVENTS_INDEXES IDS_HEAP IDS_INDEXES <<<"${SIZES}"
info "seeded in ${EVENTS_SEED_SECONDS} s (COPY ${COPY_SECONDS} s, VACUUM ANALYZE + CHECKPOINT ${VACUUM_SECONDS} s): events ${EVENTS_HEAP} + indexes ${EVENTS_INDEXES}"

# ---- users + roles, relaying to audit ------------------------------------------------------------
USERS_EXTRA_ARGS=(--audit_address="127.0.0.1:${AUDIT_GRPC_PORT}"
  --outbox_relay_key_file="${TMP_DIR}/keys/users-relay.pem" --outbox_relay_key_id=users-relay)
ROLES_EXTRA_ARGS=(--audit_address="127.0.0.1:${AUDIT_GRPC_PORT}"
  --outbox_relay_key_file="${TMP_DIR}/keys/roles-relay.pem" --outbox_relay_key_id=roles-relay)
start_users_and_roles
seed_users "${RELAY_USERS}" 0 0
psql_super users -At -c "COPY (SELECT id FROM users WHERE email LIKE 'user%@example.com'
  ORDER BY id) TO STDOUT" >"${TMP_DIR}/users.txt"

DRIVER_COMMON=(--audit_target="127.0.0.1:${AUDIT_GRPC_PORT}"
  --users_target="127.0.0.1:${USERS_GRPC_PORT}" --email="${ADMIN_EMAIL}"
  --password_file="${ADMIN_PASSWORD_FILE}" "${LAYOUT_ARGS[@]}")
UPTIME_BEFORE="$(uptime)"
BUSY_BEFORE="$(busy_processes)"
declare -A PHASE_RC=()

# cpu_ticks PID...: user + system CPU time of the processes, in clock ticks (1/100 s).
cpu_ticks() {
  local pid total=0 fields
  for pid in "$@"; do
    if read -r -a fields 2>/dev/null <"/proc/${pid}/stat"; then
      # Fields 14 and 15 (utime, stime); the command name (field 2) has no spaces here.
      total=$((total + fields[13] + fields[14]))
    fi
  done
  echo "${total}"
}

# postgres_pids: the postmaster and its children (backends, checkpointer, walwriter, ...).
postgres_pids() {
  local postmaster
  postmaster="$(head -n 1 "${PG_DATA}/postmaster.pid")"
  echo "${postmaster}"
  ps -o pid= --ppid "${postmaster}"
}

# cpu_snapshot: "audit postgres users roles" CPU ticks now.
cpu_snapshot() {
  # shellcheck disable=SC2046  # one pid a word
  echo "$(cpu_ticks "${AUDIT_PID}") $(cpu_ticks $(postgres_pids)) $(cpu_ticks "${USERS_PID}") $(cpu_ticks "${ROLES_PID}")"
}

# run_phase NAME ARGS...: the driver's phase NAME; its table to TMP_DIR/NAME.md, and the CPU
# seconds each process used during it to PHASE_CPU[NAME].
declare -A PHASE_CPU=()
run_phase() {
  local name="$1" rc=0 before after started=${SECONDS} driver_cpu
  shift
  info "phase ${name} [$(elapsed)]"
  before="$(cpu_snapshot)"
  step "${TMP_DIR}/bin/audit_bench" --phase="${name}" --cpu_file="${TMP_DIR}/${name}.cpu" \
    "${DRIVER_COMMON[@]}" "$@" \
    >"${TMP_DIR}/${name}.md" 2>>"${TMP_DIR}/driver.log" || rc=$?
  ((rc == 0 || rc == 3)) || { tail -n 5 "${TMP_DIR}/driver.log" >&2; fail "phase ${name} failed (exit ${rc})"; }
  PHASE_RC[${name}]=${rc}
  after="$(cpu_snapshot)"
  driver_cpu="$(awk 'END { printf "%.1f", $1 + $2 }' "${TMP_DIR}/${name}.cpu")"
  PHASE_CPU[${name}]="$(awk -v n="${name}" -v b="${before}" -v a="${after}" -v d="${driver_cpu}" \
    -v wall=$((SECONDS - started)) 'BEGIN {
      split(b, x, " "); split(a, y, " ")
      printf "| %s | %d | %.1f | %.1f | %.1f | %.1f | %s |", n, wall,
        (y[1] - x[1]) / 100, (y[2] - x[2]) / 100, (y[3] - x[3]) / 100, (y[4] - x[4]) / 100, d }')"
}

if has_phase append; then
  run_phase append --service_key_file="${TMP_DIR}/keys/audit-bench.pem" \
    --service_key_id=audit-bench --batches="${BATCHES}" --append_concurrency="${APPEND_CONCURRENCY}" \
    --channels="${CHANNELS}" --warmup="${WARMUP}" --duration="${DURATION}"
  BUSY_AFTER_APPEND="$(busy_processes)"
fi
if has_phase query; then
  run_phase query --concurrency="${CONCURRENCY}" --channels="${CHANNELS}" --warmup="${WARMUP}" \
    --duration="${DURATION}" --page_size="${PAGE_SIZE}" --deep_rows="${DEEP_ROWS}"
  BUSY_AFTER_QUERY="$(busy_processes)"

  # EXPLAIN: the store's statements for one seeded event's filters, the deep page after the row
  # DEEP_ROWS deep (newest first), and the verification walk's first page.
  info "EXPLAIN (ANALYZE, BUFFERS) [$(elapsed)]"
  read -r DEEP_TIME DEEP_SEQUENCE < <(psql_super audit -At -F ' ' -c "
    SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), sequence
    FROM events ORDER BY event_time DESC, sequence DESC OFFSET $((DEEP_ROWS - 1)) LIMIT 1")
  "${TMP_DIR}/bin/explain_script" "${LAYOUT_ARGS[@]}" --sample=$((EVENTS / 3)) \
    --page_size="${PAGE_SIZE}" --deep_after_time="${DEEP_TIME}" \
    --deep_after_sequence="${DEEP_SEQUENCE}" >"${TMP_DIR}/explain.sql" ||
    fail "explain_script failed"
  {
    printf '%s\n' '\echo' \
      "\\echo '#### VerifyChain: one page of the walk (select_chain_range.sql, 5,000 rows from 1)'"
    echo "PREPARE verify_range AS $(cat "${VERIFY_SQL}");"
    printf '%s\n' "\\echo '-- first execution (custom plan):'"
    echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE verify_range(1, 1000000, 5000);"
  } >>"${TMP_DIR}/explain.sql"
  step psql_super audit -f "${TMP_DIR}/explain.sql" >"${TMP_DIR}/explain.txt" 2>&1 ||
    { tail -n 20 "${TMP_DIR}/explain.txt" >&2; fail "EXPLAIN failed"; }
  EXPLAIN_TABLE="$(awk '
    /^#### / { title = substr($0, 6) }
    /^-- first execution/ { run = "1st (custom)" }
    /^-- 7th execution/ { run = "7th (kept)" }
    /Planning Time:/ { planning = $3 }
    /Execution Time:/ { printf "| %s | %s | %s | %s |\n", title, run, planning, $3 }
  ' "${TMP_DIR}/explain.txt")"
fi
if has_phase verify; then
  run_phase verify --verify_piece="${VERIFY_PIECE}" --deadline=600s
fi
if has_phase relay; then
  # The users outbox gauges, every 0.5 s while the load runs (refreshed by the relay after each
  # idle cycle, so they show backlogs, not the per-event delay).
  (
    while true; do
      curl -fsS "http://127.0.0.1:${USERS_ADMIN_PORT}/metrics" 2>/dev/null |
        awk '/^outbox_(pending_events|oldest_pending_age_seconds)\{/ { printf "%s %s\n", $1, $2 }'
      sleep 0.5
    done
  ) >"${TMP_DIR}/gauges.txt" &
  SAMPLER_PID=$!
  stack_track "${SAMPLER_PID}"
  run_phase relay --users_file="${TMP_DIR}/users.txt" --relay_rate="${RELAY_RATE}" \
    --relay_duration="${RELAY_DURATION}" --channels=2
  kill "${SAMPLER_PID}" 2>/dev/null || true
  GAUGES="$(awk '{ split($1, n, "{"); if ($2 + 0 > max[n[1]] + 0) max[n[1]] = $2; seen[n[1]] = 1 }
    END { for (k in seen) printf "%s max %s; ", k, max[k] + 0 }' "${TMP_DIR}/gauges.txt")"
  GAUGE_SAMPLES="$(grep -c pending_events "${TMP_DIR}/gauges.txt" || true)"
  # Every relayed change's lag from the database: the outbox row's occurred_at (the change's
  # transaction time) to the audit row's ingest_time (the append's clock) and to delivered_at
  # (when the relay marked it delivered).
  PREFIX="$(grep -o 'audit-bench-relay-[0-9]*-' "${TMP_DIR}/relay.md" | head -n 1)"
  DB_LAG="$(psql_super public -At -F ' | ' -c "
    WITH lag AS (
      SELECT extract(epoch FROM i.ingest_time - o.occurred_at) * 1000 AS ingest_ms,
             extract(epoch FROM o.delivered_at - o.occurred_at) * 1000 AS delivered_ms
      FROM users.outbox o JOIN audit.event_ids i ON i.id = o.id
      WHERE o.request_id LIKE '${PREFIX}%')
    SELECT 'change committed → stored in the audit log (ingest_time − occurred_at)', count(*),
           round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ingest_ms)::numeric, 2),
           round(percentile_disc(0.9) WITHIN GROUP (ORDER BY ingest_ms)::numeric, 2),
           round(percentile_disc(0.99) WITHIN GROUP (ORDER BY ingest_ms)::numeric, 2),
           round(max(ingest_ms)::numeric, 2) FROM lag
    UNION ALL
    SELECT 'change committed → claimed by the relay (delivered_at − occurred_at; delivered_at is the relay transaction''s now(), taken before the append)',
           count(*), round(percentile_disc(0.5) WITHIN GROUP (ORDER BY delivered_ms)::numeric, 2),
           round(percentile_disc(0.9) WITHIN GROUP (ORDER BY delivered_ms)::numeric, 2),
           round(percentile_disc(0.99) WITHIN GROUP (ORDER BY delivered_ms)::numeric, 2),
           round(max(delivered_ms)::numeric, 2) FROM lag")" || fail "relay lag query failed"
  RELAYED_TOTAL="$(psql_super users -At -c "SELECT count(*) FROM outbox WHERE request_id LIKE '${PREFIX}%'")"
fi
UPTIME_AFTER="$(uptime)"
BUSY_AFTER="$(busy_processes)"
AUDIT_RSS="$(process_memory "${AUDIT_PID}")"
HEAD_AFTER="$(psql_super audit -At -c "SELECT sequence FROM chain_head")"

# ---- Report --------------------------------------------------------------------------------------
COMMAND="EVENTS=${EVENTS} PHASES=${PHASES} CONCURRENCY=${CONCURRENCY}"
COMMAND+=" APPEND_CONCURRENCY=${APPEND_CONCURRENCY} CHANNELS=${CHANNELS}"
COMMAND+=" WARMUP=${WARMUP} DURATION=${DURATION} BATCHES=${BATCHES} PAGE_SIZE=${PAGE_SIZE}"
COMMAND+=" DEEP_ROWS=${DEEP_ROWS} VERIFY_PIECE=${VERIFY_PIECE} RELAY_RATE=${RELAY_RATE}"
COMMAND+=" RELAY_DURATION=${RELAY_DURATION} bench/audit/run.sh"
{
  echo "# audit service benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Command: \`flock -o /tmp/backoffice-bench.lock env ${COMMAND}\` ($(report_revision services libs))"
  echo
  echo "Machine: $(report_machine)"
  echo
  echo "Load (uptime) before the driver: ${UPTIME_BEFORE##*load }; after: ${UPTIME_AFTER##*load }."
  echo "Processes above 5% CPU (1 s sample) before the driver: ${BUSY_BEFORE}."
  [[ -z "${BUSY_AFTER_APPEND:-}" ]] || echo "After append: ${BUSY_AFTER_APPEND}."
  [[ -z "${BUSY_AFTER_QUERY:-}" ]] || echo "After query: ${BUSY_AFTER_QUERY}."
  echo "At the end: ${BUSY_AFTER}. (The driver, the three services and PostgreSQL share these CPUs.)"
  echo
  echo "PostgreSQL: ${PG_OPTIONS//-c /}; each service --db_pool_size=${DB_POOL_SIZE}."
  echo
  echo "## Seed"
  echo
  echo "${EVENTS} events (sequences 1–${EVENTS}) written by \`seed_events\` in ${COPY_SECONDS} s: two"
  echo "parallel COPYs (audit.events with its chain hashes computed by the audit store's own"
  echo "canonical encoding, audit.event_ids with the content digests) under the chain head's row"
  echo "lock; then VACUUM (ANALYZE) + CHECKPOINT in ${VACUUM_SECONDS} s; ${EVENTS_SEED_SECONDS} s in all."
  echo "Event times spread evenly from ${LAYOUT_FROM} to ${LAYOUT_TO}, ingest 20 ms after each;"
  echo "1,000 actors, $((EVENTS > 4000 ? EVENTS / 40 : 100)) resources of each of 4 types, 13 actions."
  echo "Sizes after the seed: events ${EVENTS_HEAP} + indexes ${EVENTS_INDEXES}; event_ids ${IDS_HEAP} + ${IDS_INDEXES}."
  echo "Chain head at the end of the run: sequence ${HEAD_AFTER}."
  if has_phase append; then
    echo
    echo "## append: AppendEvents, ${APPEND_CONCURRENCY} callers, ${CHANNELS} connections, on top of the seeded log"
    echo
    cat "${TMP_DIR}/append.md"
  fi
  if has_phase query; then
    echo
    echo "## query: QueryEvents, page of ${PAGE_SIZE}, newest first, default total"
    echo
    cat "${TMP_DIR}/query.md"
    echo
    echo "### EXPLAIN (ANALYZE, BUFFERS) of the store's statements (ms)"
    echo
    echo "| statement | execution | planning ms | execution ms |"
    echo "|---|---|--:|--:|"
    echo "${EXPLAIN_TABLE}"
  fi
  if has_phase verify; then
    echo
    echo "## verify: VerifyChain over the whole chain, pieces of ${VERIFY_PIECE}, one caller"
    echo
    cat "${TMP_DIR}/verify.md"
  fi
  if has_phase relay; then
    echo
    echo "## relay lag: UpdateUser at ${RELAY_RATE}/s for ${RELAY_DURATION} through the users service"
    echo
    cat "${TMP_DIR}/relay.md"
    echo
    echo "From the database, every relayed change of the load (${RELAYED_TOTAL} outbox rows), ms:"
    echo
    echo "| what | events | p50 | p90 | p99 | max |"
    echo "|---|--:|--:|--:|--:|--:|"
    echo "${DB_LAG}" | sed 's/^/| /; s/$/ |/'
    echo
    echo "users' outbox gauges over ${GAUGE_SAMPLES} samples (every 0.5 s): ${GAUGES:-none}"
  fi
  echo
  echo "## CPU seconds used during each phase (2 CPUs: at most 2 s per wall second)"
  echo
  echo "| phase | wall s | audit_service | PostgreSQL (all processes) | users_service | roles_service | driver |"
  echo "|---|--:|--:|--:|--:|--:|--:|"
  for phase in append query verify relay; do
    [[ -z "${PHASE_CPU[${phase}]:-}" ]] || echo "${PHASE_CPU[${phase}]}"
  done
  echo
  echo "(The query phase includes the walk to the deep page; the relay phase the probes' polling.)"
  echo
  echo "audit_service memory at the end: ${AUDIT_RSS}"
  if has_phase query; then
    echo
    echo "## EXPLAIN output"
    echo
    echo '```'
    cat "${TMP_DIR}/explain.txt"
    echo '```'
  fi
} >"${RESULTS}"
cat "${RESULTS}"
info "report written to ${RESULTS} [$(elapsed)]"
for phase in "${!PHASE_RC[@]}"; do
  ((PHASE_RC[${phase}] == 0)) || fail "phase ${phase} had failures (see the report)"
done
