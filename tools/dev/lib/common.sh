# shellcheck shell=bash disable=SC2034  # The settings here are used by the other files.
# Shared settings and helpers of ./dev: where things live, messages, privileges.
# Sourced by ./dev after it has set REPO_ROOT.

# Project-local state (ignored by git): data, logs, pid files, the binaries that run.
DATA_DIR="${REPO_ROOT}/.data"
LOG_DIR="${DATA_DIR}/logs"
BIN_DIR="${DATA_DIR}/bin"
# These two may be symlinks into /var/tmp when the postgres user cannot reach the repository
# (see pg_prepare_dirs); always go through PG_DATA and RUN_DIR, which pg_resolve_dirs makes real.
PG_DATA_LINK="${DATA_DIR}/pg"
RUN_DIR_LINK="${DATA_DIR}/run"
PG_DATA="${PG_DATA_LINK}"
RUN_DIR="${RUN_DIR_LINK}"

# The local PostgreSQL cluster. The services' flag defaults point at exactly this.
PG_HOST="127.0.0.1"
PG_PORT="55432"
PG_BIN="/usr/lib/postgresql/15/bin"
DB_NAME="backoffice"
DB_USER="backoffice"

PACKAGES_FILE="${REPO_ROOT}/tools/dev/packages.txt"

# Seconds to wait for every component to answer /readyz after start.
READY_TIMEOUT="${DEV_READY_TIMEOUT:-30}"
# Seconds a component gets to exit after SIGTERM before SIGKILL.
STOP_TIMEOUT=10

# info MESSAGE: a progress line.
info() {
  printf '==> %s\n' "$*"
}

# warn MESSAGE: a problem that does not stop the command.
warn() {
  printf 'dev: warning: %s\n' "$*" >&2
}

# die MESSAGE: prints the error and exits non-zero.
die() {
  printf 'dev: error: %s\n' "$*" >&2
  exit 1
}

# is_root: true when running as root.
is_root() {
  [[ "$(id -u)" -eq 0 ]]
}

# as_root COMMAND...: runs COMMAND as root, through sudo when needed.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root: run ./dev as root or install sudo"
  fi
}

# pg_owner: the account that owns and runs the PostgreSQL cluster. PostgreSQL refuses to run as
# root, so root hands it to the postgres user; anyone else runs it as themselves.
pg_owner() {
  if is_root; then
    echo postgres
  else
    id -un
  fi
}

# as_pg_owner COMMAND...: runs COMMAND as pg_owner, from / so that an unreadable current
# directory does not matter. Redirections of the caller apply to COMMAND.
as_pg_owner() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# port_in_use PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# relative PATH: PATH relative to the repository root when inside it, for shorter messages.
relative() {
  local path="$1"
  if [[ "${path}" == "${REPO_ROOT}/"* ]]; then
    echo "${path#"${REPO_ROOT}/"}"
  else
    echo "${path}"
  fi
}
