#!/usr/bin/env bash
# bench/users/notify_cost.sh: what the users_changed triggers (migration
# services/users/migrations/0014_users_changed_notify.sql) cost concurrent single-row writers.
#
# How to run (about 4 minutes here; waits for the benchmarks' lock):
#
#   flock -o /tmp/backoffice-bench.lock bench/users/notify_cost.sh
#   CLIENTS=1,8 DURATION=5 ROUNDS=1 flock -o /tmp/backoffice-bench.lock bench/users/notify_cost.sh
#
# Starts a throwaway PostgreSQL 15 cluster on a free loopback port (bench/lib/stack.sh: fsync,
# synchronous_commit and full_page_writes on), the real users service (its migrations create the
# triggers, and its NotificationListener LISTENs for users_changed) and the roles service beside
# it (users needs it; it LISTENs for roles_changed in the same database, as in production), seeds
# USERS users, and numbers IDS of them in a table public.bench_ids. Then pgbench (the cluster's
# own, -n -M prepared -j 2 -T DURATION) runs a script that updates one account (display_name,
# version, updated_at) per transaction, BEGIN; UPDATE; END;, each client in its own slice of
# bench_ids (no two clients ever update the same row: no row-lock waits), at each of CLIENTS
# concurrent clients, in two phases (stopping the services cannot be undone):
#   phase 1, users (and roles) running:
#     (a)  off:         the eight notify triggers disabled (ALTER TABLE ... DISABLE TRIGGER);
#     (b)  listened:    triggers enabled: users_changed is LISTENed to and consumed;
#   phase 2, users and roles stopped (no client session but pgbench's and the sampler's):
#     (a') off_stopped: triggers disabled again, the baseline of the phase;
#     (c)  unheard:     triggers enabled, nobody listens.
# In each phase both configurations run ROUNDS times, alternating which goes first, and each
# is compared with the baseline of its own phase (the disk's flush latency, which bounds
# notifying commits, drifts with the machine's other work). Before every run: VACUUM users and
# CHECKPOINT (each run starts from
# the same state: no checkpoint inside a run, full-page images after it in every run alike).
# During every run a session samples pg_stat_activity every 0.1 s (what pgbench's backends wait
# for). Per run: tps, latency avg / p50 / p99 / max (from pgbench's per-transaction --log), the
# per-statement averages of -r (the commit is the END line: NOTIFY's cost lands there), failed
# transactions, notifications the users service heard, and the wait events.
#
# Everything it started is stopped, and the temporary folder deleted, on success, failure,
# Ctrl-C or when TIME_LIMIT runs out.
#
# Settings (environment):
#   USERS=100000           users to seed
#   IDS=64000              accounts pgbench updates (split evenly between the clients of a run)
#   CLIENTS=1,8,32         pgbench client counts (-c; -j is min(2, clients))
#   DURATION=10            seconds per pgbench run (-T)
#   ROUNDS=2               repetitions of each configuration; CONFIG_C=1 (0: skip phase 2)
#   SHARED_BUFFERS=256MB   PostgreSQL shared_buffers
#   TIME_LIMIT=900         seconds the whole run may take, build included
#   RESULTS=/tmp/users_notify_cost_<time>.md   where the report goes
#   BUILD=1                0: use the binaries already in bazel-bin
#   KEEP_TMP=0             1: keep the temporary folder (logs, pgbench logs, data)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
readonly REPO_ROOT
BENCH_NAME="users notify cost"
TIME_LIMIT="${TIME_LIMIT:-900}"
# The shared stack: trap and time limit, build, PostgreSQL, users + roles services.
# shellcheck source=bench/lib/stack.sh
source "${REPO_ROOT}/bench/lib/stack.sh"

USERS="${USERS:-100000}"
IDS="${IDS:-64000}"
CLIENTS="${CLIENTS:-1,8,32}"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-2}"
CONFIG_C="${CONFIG_C:-1}"
RESULTS="${RESULTS:-/tmp/users_notify_cost_$(date -u +%Y%m%dT%H%M%SZ).md}"

require_whole_numbers USERS IDS DURATION ROUNDS CONFIG_C TIME_LIMIT
IFS=',' read -r -a CLIENT_COUNTS <<<"${CLIENTS}"
((${#CLIENT_COUNTS[@]} > 0)) || fail "CLIENTS is empty"
MAX_CLIENTS=0
for c in "${CLIENT_COUNTS[@]}"; do
  [[ "${c}" =~ ^[1-9][0-9]*$ ]] || fail "CLIENTS must list whole numbers above 0, not '${c}'"
  if ((c > MAX_CLIENTS)); then
    MAX_CLIENTS=${c}
  fi
done
((IDS <= USERS)) || fail "IDS must not exceed USERS"
((IDS >= MAX_CLIENTS)) || fail "IDS must be at least the largest client count"
((DURATION >= 3)) || fail "DURATION must be at least 3 seconds"
((ROUNDS >= 1)) || fail "ROUNDS must be at least 1"
PGBENCH="${PG_BIN}/pgbench"
[[ -x "${PGBENCH}" ]] || fail "${PGBENCH} not found (Debian package postgresql-15)"

stack_begin
stack_build //services/users:users_service //services/roles:roles_service
pg_start
start_users_and_roles

# ---- Seed ----------------------------------------------------------------------------------------
info "seeding ${USERS} users [$(elapsed)]"
seed_users "${USERS}" 20 100
# The accounts pgbench updates, numbered 1..IDS in random order; the wait-event samples.
psql_super users -c "CREATE TABLE public.bench_ids (pos integer PRIMARY KEY, id uuid NOT NULL)" \
  -c "INSERT INTO public.bench_ids
        SELECT row_number() OVER (), id
        FROM (SELECT id FROM users WHERE email LIKE 'user%@example.com'
              ORDER BY random() LIMIT ${IDS}) AS picked" \
  -c "CREATE TABLE public.bench_waits (run text NOT NULL, wait text NOT NULL, n integer NOT NULL)" \
  -c "VACUUM (ANALYZE) users" -c "VACUUM (ANALYZE) public.bench_ids" -c "CHECKPOINT" ||
  fail "cannot prepare the id table"
TABLE_SIZES="$(psql_super users -At -F ' | ' -c "
  SELECT count(*), pg_size_pretty(pg_table_size('users')), pg_size_pretty(pg_indexes_size('users'))
  FROM users")"
TRIGGERS="$(psql_super users -At -c "SELECT string_agg(tgrelid::regclass || '.' || tgname, ', '
  ORDER BY tgrelid::regclass::text, tgname) FROM pg_trigger WHERE tgname LIKE '%changed%'")"
[[ "${TRIGGERS}" == *users_changed_update* ]] ||
  fail "no users_changed_update trigger (is migration 0014 applied?): ${TRIGGERS}"

# One account per transaction; client k (0-based) only touches positions k*slice+1..(k+1)*slice.
cat >"${TMP_DIR}/update_user.sql" <<'EOF'
\set pos :client_id * :slice + random(1, :slice)
BEGIN;
UPDATE users.users SET display_name = 'Bench ' || (version + 1), version = version + 1, updated_at = now() WHERE id = (SELECT id FROM public.bench_ids WHERE pos = :pos);
END;
EOF
mkdir -p "${TMP_DIR}/runs"

# set_triggers ENABLE|DISABLE: all eight notify triggers of migration 0014.
set_triggers() {
  local sql="" trigger
  for trigger in insert update delete truncate; do
    sql+="ALTER TABLE users $1 TRIGGER users_changed_${trigger};"
    sql+="ALTER TABLE recovery_codes $1 TRIGGER recovery_codes_changed_${trigger};"
  done
  psql_super users -c "${sql}" || fail "cannot $1 the triggers"
}

# heard: users_changed notifications the users service has received (metrics), or "-".
heard() {
  { curl -fsS "http://127.0.0.1:${USERS_ADMIN_PORT}/metrics" 2>/dev/null || true; } |
    awk '$1 == "users_change_notifications_total" {n = $2; found = 1}
      END {if (found) printf "%d", n; else printf "-"}'
}

# start_sampler RUN: a session that records, every 0.1 s from 1 s into the run until 1 s before
# its end, what each pgbench backend is doing (state and wait event) into bench_waits.
start_sampler() {
  local samples=$(((DURATION - 2) * 10))
  psql_super public -c "DO \$\$
BEGIN
  -- Its own commits wait for no WAL flush (they would add flushes to the run's count).
  PERFORM set_config('synchronous_commit', 'off', false);
  PERFORM pg_sleep(1);
  FOR i IN 1..${samples} LOOP
    INSERT INTO bench_waits
      SELECT '$1', CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event,
                                                            'CPU')
                        ELSE state || coalesce(' (' || wait_event || ')', '') END, count(*)
      FROM pg_stat_activity WHERE application_name = 'pgbench' AND pid <> pg_backend_pid()
      GROUP BY 2;
    COMMIT;
    PERFORM pg_sleep(0.1);
  END LOOP;
END \$\$" >"${TMP_DIR}/runs/$1.sampler.log" 2>&1 &
  SAMPLER_PID=$!
  stack_track "${SAMPLER_PID}"
}

# waits RUN: "Lock:object 61%, IO:WALSync 20%, ..." (share of all backend samples, top 4).
waits() {
  psql_super public -At -c "
    SELECT coalesce(string_agg(wait || ' ' || round(100.0 * n / total) || '%', ', '
                               ORDER BY n DESC, wait), '-')
    FROM (SELECT wait, sum(n) AS n, sum(sum(n)) OVER () AS total
          FROM bench_waits WHERE run = '$1' GROUP BY wait ORDER BY n DESC, wait LIMIT 4) AS w"
}

# others_busy: what besides PostgreSQL and pgbench used at least 5% of a CPU over one second
# (busy_processes of bench/lib/stack.sh without the benchmark's own processes).
others_busy() {
  top -b -n 2 -d 1 -o %CPU | awk '/^top -/ { frame++; table = 0; next }
    frame == 2 && $1 == "PID" { table = 1; next }
    table && $9 + 0 >= 5 && $12 != "postgres" && $12 != "pgbench" {
      printf "%s%s %s%%", sep, $12, $9; sep = ", " }
    END { if (!sep) printf "none" }'
}

# wal_syncs: WAL flushes (fsync / fdatasync calls) of the cluster so far (pg_stat_wal).
wal_syncs() {
  psql_super public -At -c "SELECT wal_sync FROM pg_stat_wal"
}

# percentiles LOG_PREFIX: "p50 p99 max" in ms of the per-transaction logs (latency: 3rd field,
# microseconds; failed transactions, which have no latency, are left out).
percentiles() {
  cat "$1".* | awk '$3 ~ /^[0-9]+$/ {print $3}' | sort -n | awk '
    {v[NR] = $1}
    END {
      if (NR == 0) {print "- - -"; exit}
      i50 = int(NR * 0.50); if (i50 < NR * 0.50) i50++
      i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++
      printf "%.2f %.2f %.2f", v[i50] / 1000, v[i99] / 1000, v[NR] / 1000
    }'
}

# run_pgbench CONFIG ROUND CLIENTS: one measured run; appends a row to TMP_DIR/rows.txt:
# config round clients tps avg p50 p99 max begin_ms update_ms end_ms failed transactions heard
# wal_syncs.
run_pgbench() {
  local config="$1" round="$2" clients="$3" run out threads heard_from heard_to tps avg failed
  local txns begin_ms update_ms end_ms p50 p99 max syncs_from syncs_to
  run="${config}_r${round}_c${clients}"
  out="${TMP_DIR}/runs/${run}.txt"
  threads=$((clients < 2 ? clients : 2))
  step psql_super users -c "VACUUM users" -c "CHECKPOINT" || fail "VACUUM / CHECKPOINT failed"
  heard_from="$(heard)"
  syncs_from="$(wal_syncs)"
  start_sampler "${run}"
  # Someone else's work in the middle of the run (a compile takes CPU and disk from it).
  (
    sleep $((DURATION / 2))
    others_busy
  ) >"${TMP_DIR}/runs/${run}.others" 2>/dev/null &
  OTHERS_PID=$!
  stack_track "${OTHERS_PID}"
  info "${run}: pgbench -c ${clients} -j ${threads} -T ${DURATION} [$(elapsed)]"
  step "${PGBENCH}" -h 127.0.0.1 -p "${PG_PORT}" -U postgres -d backoffice -n -M prepared \
    -f "${TMP_DIR}/update_user.sql" -D slice=$((IDS / clients)) -c "${clients}" -j "${threads}" \
    -T "${DURATION}" -r --log --log-prefix="${TMP_DIR}/runs/${run}.log" >"${out}" 2>&1 ||
    { cat "${out}" >&2; fail "pgbench failed (${run})"; }
  wait "${SAMPLER_PID}" || { cat "${TMP_DIR}/runs/${run}.sampler.log" >&2; fail "sampler failed"; }
  wait "${OTHERS_PID}" || true
  # pgbench's backends have exited (and so reported their WAL statistics).
  syncs_to="$(wal_syncs)"
  # The listener reads the queue after the commits: give it a moment before reading its count.
  sleep 1
  heard_to="$(heard)"
  tps="$(awk '/^tps = / {printf "%.0f", $3}' "${out}")"
  avg="$(awk '/^latency average = / {printf "%.2f", $4}' "${out}")"
  txns="$(awk -F': ' '/^number of transactions actually processed/ {print $2}' "${out}")"
  failed="$(awk '/^number of failed transactions/ {print $5}' "${out}")"
  begin_ms="$(awk '$NF == "BEGIN;" {print $1}' "${out}")"
  update_ms="$(awk '$3 == "UPDATE" {print $1}' "${out}")"
  end_ms="$(awk '$NF == "END;" {print $1}' "${out}")"
  read -r p50 p99 max <<<"$(percentiles "${TMP_DIR}/runs/${run}.log")"
  [[ -n "${tps}" && -n "${txns}" ]] || { cat "${out}" >&2; fail "cannot read pgbench's output"; }
  local heard_delta="-"
  if [[ "${heard_from}" != - && "${heard_to}" != - ]]; then
    heard_delta=$((heard_to - heard_from))
  fi
  echo "${config} ${round} ${clients} ${tps} ${avg} ${p50} ${p99} ${max} ${begin_ms:--}" \
    "${update_ms:--} ${end_ms:--} ${failed:-0} ${txns} ${heard_delta}" \
    "$((syncs_to - syncs_from))" >>"${TMP_DIR}/rows.txt"
  printf '%s\t%s\t%s\n' "${run}" "$(waits "${run}")" "$(cat "${TMP_DIR}/runs/${run}.others")" \
    >>"${TMP_DIR}/waits.txt"
  info "${run}: ${tps} tps, avg ${avg} ms, p99 ${p99} ms, END ${end_ms:--} ms, heard ${heard_delta}," \
    "WAL syncs $((syncs_to - syncs_from))"
}

# run_config CONFIG ROUND: every client count.
run_config() {
  local clients
  case "$1" in
    off*) set_triggers DISABLE ;;
    *) set_triggers ENABLE ;;
  esac
  for clients in "${CLIENT_COUNTS[@]}"; do
    run_pgbench "$1" "$2" "${clients}"
  done
}

: >"${TMP_DIR}/rows.txt"
: >"${TMP_DIR}/waits.txt"
BUSY_BEFORE="$(busy_processes)"
UPTIME_BEFORE="$(uptime)"
info "load before the runs: ${UPTIME_BEFORE##*load }"
# Warm-up (not reported): the table and its indexes into shared buffers, triggers on.
step "${PGBENCH}" -h 127.0.0.1 -p "${PG_PORT}" -U postgres -d backoffice -n -M prepared \
  -f "${TMP_DIR}/update_user.sql" -D slice=$((IDS / 8)) -c 8 -j 2 -T 3 >"${TMP_DIR}/warmup.txt" 2>&1 ||
  { cat "${TMP_DIR}/warmup.txt" >&2; fail "pgbench warm-up failed"; }
LISTENING="$(curl -fsS "http://127.0.0.1:${USERS_ADMIN_PORT}/metrics" |
  awk '$1 == "users_change_listener_listening" {print $2}')"
[[ "${LISTENING}" == 1 ]] || fail "the users service is not LISTENing for users_changed"
# run_phase BASELINE CONFIG: ROUNDS rounds of both, alternating which goes first.
run_phase() {
  local round config order
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then
      order=("$1" "$2")
    else
      order=("$2" "$1")
    fi
    for config in "${order[@]}"; do
      run_config "${config}" "${round}"
    done
  done
}
run_phase off listened
UPTIME_MIDDLE="$(uptime)"
SESSIONS_LEFT="-"
if ((CONFIG_C)); then
  info "stopping users and roles: nobody LISTENs any more [$(elapsed)]"
  stop_pid "${USERS_PID}" 15
  stop_pid "${ROLES_PID}" 15
  for ((i = 0; ; i++)); do
    SESSIONS_LEFT="$(psql_super public -At -c "SELECT count(*) FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")"
    ((SESSIONS_LEFT == 0)) && break
    ((i < 100)) || fail "${SESSIONS_LEFT} sessions still open 10 s after the services stopped"
    sleep 0.1
  done
  run_phase off_stopped unheard
fi
UPTIME_AFTER="$(uptime)"
BUSY_AFTER="$(busy_processes)"
QUEUE_USAGE="$(psql_super public -At -c "SELECT pg_notification_queue_usage()")"

# ---- Report --------------------------------------------------------------------------------------
declare -A LABEL=([off]="(a) triggers disabled, services up"
  [listened]="(b) triggers on, users LISTENs" [off_stopped]="(a') triggers disabled, services stopped"
  [unheard]="(c) triggers on, nobody listens")
COMMAND="USERS=${USERS} IDS=${IDS} CLIENTS=${CLIENTS} DURATION=${DURATION} ROUNDS=${ROUNDS}"
COMMAND+=" CONFIG_C=${CONFIG_C} flock -o /tmp/backoffice-bench.lock bench/users/notify_cost.sh"
{
  echo "# users_changed triggers: cost to concurrent writers, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Command: \`${COMMAND}\` ($(report_revision services/users bench/users))"
  echo
  echo "Machine: $(report_machine). Shared with other work: the clients (pgbench), PostgreSQL"
  echo "and everyone else's processes share the same 2 cores."
  echo
  echo "\`uptime\` before the runs: \`${UPTIME_BEFORE}\`; after (a)/(b): \`${UPTIME_MIDDLE}\`;"
  echo "after all: \`${UPTIME_AFTER}\`."
  echo "Processes above 5% CPU (1 s sample) before: ${BUSY_BEFORE}; after: ${BUSY_AFTER}."
  echo
  echo "PostgreSQL 15 (\`$("${PG_BIN}/postgres" --version)\`): ${PG_OPTIONS//-c /};"
  echo "**fsync=on, synchronous_commit=on, full_page_writes=on** (the stack's defaults, as in"
  echo "production: every commit waits for its WAL flush). Data directory on the machine's disk"
  echo "($(df -T "${TMP_DIR}" | awk 'NR == 2 {print $2}'), ${TMP_DIR%/*})."
  echo
  echo "Data: ${USERS} seeded users + the bootstrap admin (rows | table | indexes: ${TABLE_SIZES})."
  echo "Notify triggers present: ${TRIGGERS}."
  echo
  echo "Load: \`pgbench -n -M prepared -c C -j min(2,C) -T ${DURATION} -r --log\`, as the superuser"
  echo "over TCP on 127.0.0.1, script (\`-D slice=${IDS}/C\`; each client updates only its own"
  echo "slice of ${IDS} accounts, so no two transactions ever wait for the same row):"
  echo
  echo '```'
  cat "${TMP_DIR}/update_user.sql"
  echo '```'
  echo
  echo "Before every run: \`VACUUM users; CHECKPOINT\`. A psql session samples pg_stat_activity of"
  echo "pgbench's backends every 0.1 s during each run (the wait events below). Phase 1 (users and"
  echo "roles running): (a) and (b), ${ROUNDS} round(s), alternating which goes first, each at"
  echo "clients ${CLIENTS}. Phase 2 (users and roles stopped; client sessions left besides the"
  echo "check's own: ${SESSIONS_LEFT}): (a') and (c) likewise. Each configuration is compared with"
  echo "the triggers-off baseline of its own phase."
  echo "In (b), roles also LISTENs (roles_changed) in the same database, as in production."
  echo "pg_notification_queue_usage() at the end: ${QUEUE_USAGE}."
  echo
  echo "## Summary (mean over rounds)"
  echo
  echo "| configuration | clients | tps | tps per round | vs its phase's baseline | avg ms | p99 ms | END (commit) avg ms | transactions per WAL sync |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
  awk -v labels="off=${LABEL[off]}|listened=${LABEL[listened]}|off_stopped=${LABEL[off_stopped]}|unheard=${LABEL[unheard]}" '
    BEGIN {
      n = split(labels, parts, "|")
      for (i = 1; i <= n; i++) { split(parts[i], kv, "="); label[kv[1]] = kv[2] }
      order[1] = "off"; order[2] = "listened"; order[3] = "off_stopped"; order[4] = "unheard"
      base["off"] = "off"; base["listened"] = "off"
      base["off_stopped"] = "off_stopped"; base["unheard"] = "off_stopped"
    }
    {
      key = $1 SUBSEP $3
      runs[key]++; tps[key] += $4; avg[key] += $5; p99[key] += $7; end[key] += $11
      txns[key] += $13; syncs[key] += $15
      each[key] = each[key] (runs[key] > 1 ? ", " : "") $4
      if (!seen_c[$3]++) clients[++nc] = $3
    }
    END {
      for (o = 1; o <= 4; o++) for (c = 1; c <= nc; c++) {
        key = order[o] SUBSEP clients[c]
        if (!runs[key]) continue
        b = base[order[o]] SUBSEP clients[c]
        ratio = runs[b] ? sprintf("%+.0f%%", 100 * (tps[key] / runs[key]) / (tps[b] / runs[b]) - 100) : "-"
        per_sync = syncs[key] > 0 ? sprintf("%.1f", txns[key] / syncs[key]) : "-"
        printf "| %s | %d | %.0f | %s | %s | %.2f | %.2f | %.3f | %s |\n", label[order[o]],
          clients[c], tps[key] / runs[key], each[key], ratio, avg[key] / runs[key], p99[key] / runs[key],
          end[key] / runs[key], per_sync
      }
    }' "${TMP_DIR}/rows.txt"
  for config in off listened off_stopped unheard; do
    grep -q "^${config} " "${TMP_DIR}/rows.txt" || continue
    echo
    echo "## ${LABEL[${config}]}"
    echo
    echo "| round | clients | tps | avg ms | p50 ms | p99 ms | max ms | BEGIN / UPDATE / END avg ms | transactions (failed) | WAL syncs (transactions per sync) | notifications heard by users | pgbench backends (share of samples) | other processes >= 5% CPU mid-run |"
    echo "|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|---|---|"
    while read -r cfg round clients tps avg p50 p99 max begin_ms update_ms end_ms failed txns heard_n syncs; do
      [[ "${cfg}" == "${config}" ]] || continue
      wait_text="$(awk -F'\t' -v r="${cfg}_r${round}_c${clients}" '$1 == r {print $2 " | " $3}' \
        "${TMP_DIR}/waits.txt")"
      echo "| ${round} | ${clients} | ${tps} | ${avg} | ${p50} | ${p99} | ${max} |" \
        "${begin_ms} / ${update_ms} / ${end_ms} | ${txns} (${failed}) |" \
        "${syncs} ($(awk -v t="${txns}" -v s="${syncs}" 'BEGIN {printf (s > 0 ? "%.1f" : "-"), t / (s > 0 ? s : 1)}')) |" \
        "${heard_n} | ${wait_text} |"
    done <"${TMP_DIR}/rows.txt"
  done
  echo
  echo "tps: pgbench's, without the initial connection time. avg: pgbench's latency average."
  echo "p50 / p99 / max: from the per-transaction log (every transaction). BEGIN / UPDATE / END:"
  echo "pgbench -r per-statement averages; END is the commit (WAL flush, and with the triggers on"
  echo "the NOTIFY queue insert under its cluster-wide lock). Notifications heard: the delta of the"
  echo "users service's users_change_notifications_total over the run plus 1 s (\"-\": service"
  echo "stopped). WAL syncs: pg_stat_wal.wal_sync over the run (the whole cluster: pgbench's"
  echo "commits, the WAL writer; the sampler commits without waiting for a flush); transactions per"
  echo "sync above 1 is group commit. Wait events: pg_stat_activity of the pgbench backends;"
  echo "\"CPU\" = active with no wait event, \"idle (ClientRead)\" = waiting for pgbench (client"
  echo "side or network); Lock:object is the lock that serializes the commits of notifying"
  echo "transactions (PreCommit_Notify, held until the commit is flushed). Other processes: a"
  echo "1 s \`top\` sample from the middle of the run, PostgreSQL and pgbench left out (our users"
  echo "service, roles service, psql and top itself may show)."
} >"${RESULTS}"
cat "${RESULTS}"
info "report written to ${RESULTS} [$(elapsed)]"
