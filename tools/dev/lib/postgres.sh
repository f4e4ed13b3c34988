# shellcheck shell=bash
# The project's own PostgreSQL cluster: .data/pg, 127.0.0.1:55432, socket in .data/run.
# The system cluster that Debian's postgresql package may create is never used.

# fallback_home: where the cluster goes when the postgres user cannot reach .data (for example
# a clone under /root): one folder per repository path, so two clones never share a cluster.
fallback_home() {
  local hash
  hash="$(printf '%s' "${REPO_ROOT}" | sha256sum | cut -c1-12)"
  echo "/var/tmp/backoffice-${hash}"
}

# pg_resolve_dirs: points PG_DATA and RUN_DIR at the real folders behind .data/pg and .data/run.
pg_resolve_dirs() {
  PG_DATA="$(readlink -m "${PG_DATA_LINK}")"
  RUN_DIR="$(readlink -m "${RUN_DIR_LINK}")"
}

# pg_reachable_by_owner DIR: true when pg_owner can enter DIR (every parent traversable).
pg_reachable_by_owner() {
  as_pg_owner test -x "$1" -a -d "$1"
}

# pg_prepare_dirs: creates .data with its logs, pg and run folders, owned so that pg_owner can
# use pg and run. When pg_owner cannot reach the repository, pg and run live in fallback_home
# and .data/pg and .data/run are symlinks to them.
pg_prepare_dirs() {
  mkdir -p "${DATA_DIR}" "${LOG_DIR}" "${BIN_DIR}"
  local home="${DATA_DIR}"
  if [[ -L "${PG_DATA_LINK}" ]]; then
    home="$(dirname "$(readlink -m "${PG_DATA_LINK}")")"
  elif [[ ! -e "${PG_DATA_LINK}" ]] && ! pg_reachable_by_owner "${DATA_DIR}"; then
    home="$(fallback_home)"
    info "PostgreSQL: user $(pg_owner) cannot reach $(relative "${DATA_DIR}"); the cluster lives in ${home}"
  fi

  if [[ "${home}" != "${DATA_DIR}" ]]; then
    # A folder in world-writable /var/tmp: refuse one that someone else made or that is a link.
    if [[ -L "${home}" ]] || { [[ -e "${home}" ]] && [[ "$(stat -c %u "${home}")" != "$(id -u)" ]]; }; then
      die "${home} exists but is not a folder owned by $(id -un); remove it and run again"
    fi
    mkdir -p "${home}/pg" "${home}/run"
    chmod 0755 "${home}"
    if [[ -d "${RUN_DIR_LINK}" && ! -L "${RUN_DIR_LINK}" ]]; then
      rmdir "${RUN_DIR_LINK}" 2>/dev/null ||
        die "$(relative "${RUN_DIR_LINK}") must move to ${home}/run but is not empty; run ./dev down first"
    fi
    ln -sfn "${home}/pg" "${PG_DATA_LINK}"
    ln -sfn "${home}/run" "${RUN_DIR_LINK}"
  else
    mkdir -p "${PG_DATA_LINK}" "${RUN_DIR_LINK}"
  fi
  pg_resolve_dirs

  if is_root; then
    chown postgres:postgres "${PG_DATA}" "${RUN_DIR}"
  fi
  chmod 0700 "${PG_DATA}"
  chmod 0755 "${RUN_DIR}"
  as_pg_owner test -w "${PG_DATA}" -a -w "${RUN_DIR}" ||
    die "user $(pg_owner) cannot write ${PG_DATA} and ${RUN_DIR}"
}

# pg_init: creates the cluster once (trust authentication, TCP on 127.0.0.1 only).
pg_init() {
  if [[ -f "${PG_DATA}/PG_VERSION" ]]; then
    return 0
  fi
  if [[ -n "$(ls -A "${PG_DATA}")" ]]; then
    die "${PG_DATA} is not empty but holds no cluster; run ./dev reset to start over"
  fi
  [[ -x "${PG_BIN}/initdb" ]] || die "${PG_BIN}/initdb not found: is postgresql-15 installed?"
  info "PostgreSQL: creating the cluster in $(relative "${PG_DATA_LINK}")"
  if ! as_pg_owner "${PG_BIN}/initdb" --pgdata="${PG_DATA}" --username=postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"${LOG_DIR}/initdb.log" 2>&1; then
    tail -n 20 "${LOG_DIR}/initdb.log" >&2
    die "initdb failed (log: $(relative "${LOG_DIR}/initdb.log"))"
  fi
  # Local development only: no passwords, and nothing but this machine's loopback address.
  as_pg_owner tee "${PG_DATA}/pg_hba.conf" >/dev/null <<HBA
# Written by ./dev: trust on the unix socket and on 127.0.0.1 only.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
HBA
  as_pg_owner tee -a "${PG_DATA}/postgresql.conf" >/dev/null <<CONF

# Written by ./dev (it passes the same settings on the command line at every start).
listen_addresses = '${PG_HOST}'
port = ${PG_PORT}
unix_socket_directories = '${RUN_DIR}'
CONF
}

# pg_running: true when the cluster's postmaster is running.
pg_running() {
  [[ -f "${PG_DATA}/PG_VERSION" ]] &&
    as_pg_owner "${PG_BIN}/pg_ctl" status --pgdata="${PG_DATA}" >/dev/null 2>&1
}

# pg_pid: the postmaster's pid (first line of postmaster.pid).
pg_pid() {
  head -n 1 "${PG_DATA}/postmaster.pid" 2>/dev/null
}

# pg_start: starts the cluster unless it runs already; its log goes to .data/logs/postgres.log.
pg_start() {
  if pg_running; then
    info "PostgreSQL: already running on ${PG_HOST}:${PG_PORT} (pid $(pg_pid))"
    return 0
  fi
  if port_in_use "${PG_PORT}"; then
    die "port ${PG_PORT} is taken by another process; the project's PostgreSQL needs it"
  fi
  info "PostgreSQL: starting on ${PG_HOST}:${PG_PORT}"
  local log="${LOG_DIR}/postgres.log"
  # Without -l the server inherits pg_ctl's output, a file this script opened: it works even
  # when pg_owner may not write in .data/logs.
  if ! as_pg_owner "${PG_BIN}/pg_ctl" start --pgdata="${PG_DATA}" --wait --timeout=30 \
    -o "-c listen_addresses=${PG_HOST} -c port=${PG_PORT} -c unix_socket_directories='${RUN_DIR}'" \
    >>"${log}" 2>&1 </dev/null; then
    tail -n 20 "${log}" >&2
    die "PostgreSQL did not start (log: $(relative "${log}"))"
  fi
}

# pg_stop: stops the cluster (fast shutdown: open sessions are ended, data is kept).
pg_stop() {
  if ! pg_running; then
    info "PostgreSQL: not running"
    return 0
  fi
  info "PostgreSQL: stopping (pid $(pg_pid))"
  as_pg_owner "${PG_BIN}/pg_ctl" stop --pgdata="${PG_DATA}" --mode=fast --wait --timeout=60 \
    >>"${LOG_DIR}/postgres.log" 2>&1 || die "pg_ctl stop failed (log: $(relative "${LOG_DIR}/postgres.log"))"
}

# pg_psql ARGS...: psql as the superuser over TCP, stopping at the first error.
pg_psql() {
  "${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h "${PG_HOST}" -p "${PG_PORT}" -U postgres \
    -d postgres "$@"
}

# pg_ensure_database: creates the role and database backoffice if missing.
pg_ensure_database() {
  if [[ "$(pg_psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '${DB_USER}'")" != "1" ]]; then
    info "PostgreSQL: creating role ${DB_USER}"
    pg_psql -c "CREATE ROLE ${DB_USER} LOGIN"
  fi
  if [[ "$(pg_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'")" != "1" ]]; then
    info "PostgreSQL: creating database ${DB_NAME}"
    pg_psql -c "CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}"
  fi
}

# pg_accepting: true when the server accepts connections on 127.0.0.1:55432.
pg_accepting() {
  "${PG_BIN}/pg_isready" -q -h "${PG_HOST}" -p "${PG_PORT}" -d "${DB_NAME}" -U "${DB_USER}" \
    >/dev/null 2>&1
}
