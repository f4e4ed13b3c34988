# shellcheck shell=bash
# The stack's processes: the five gRPC services and, once it exists, the BFF. Each runs in the
# background from a copy of its binary in .data/bin, logs to .data/logs/<name>.log and keeps its
# pid in .data/run/<name>.pid.

# The services in start order, with their ports (the binaries' flag defaults are the same).
SERVICES=(users roles audit notifications integrations)
declare -A GRPC_PORT=([users]=50051 [roles]=50052 [audit]=50053 [notifications]=50054
  [integrations]=50055)
declare -A ADMIN_PORT=([users]=9101 [roles]=9102 [audit]=9103 [notifications]=9104
  [integrations]=9105)

# The BFF gateway: HTTP (API, /metrics, /healthz, /readyz) on one port.
BFF_PORT=8080

# has_bff: true once the BFF exists in the workspace.
has_bff() {
  [[ -f "${REPO_ROOT}/bff/BUILD.bazel" ]]
}

# components: the names of everything ./dev runs, one per line.
components() {
  printf '%s\n' "${SERVICES[@]}"
  if has_bff; then
    echo bff
  fi
}

# component_target NAME: its Bazel target.
component_target() {
  if [[ "$1" == bff ]]; then
    echo "//bff:bff"
  else
    echo "//services/$1:$1_service"
  fi
}

# component_output NAME: its binary, relative to bazel-bin.
component_output() {
  if [[ "$1" == bff ]]; then
    echo "bff/bff"
  else
    echo "services/$1/$1_service"
  fi
}

# component_http_port NAME: the port that serves /metrics, /healthz and /readyz.
component_http_port() {
  if [[ "$1" == bff ]]; then
    echo "${BFF_PORT}"
  else
    echo "${ADMIN_PORT[$1]}"
  fi
}

# component_ports NAME: every port it listens on, space separated.
component_ports() {
  if [[ "$1" == bff ]]; then
    echo "${BFF_PORT}"
  else
    echo "${GRPC_PORT[$1]} ${ADMIN_PORT[$1]}"
  fi
}

# The users service's local secrets in .data/secrets (mode 600, created once): the 32-byte key
# that seals its JWT signing keys, and the password of the admin account it creates in an empty
# database. The login is admin@example.com with the password in that file.
SECRETS_DIR="${DATA_DIR}/secrets"
ADMIN_EMAIL="admin@example.com"
ADMIN_PASSWORD_FILE="${SECRETS_DIR}/admin-password"

# users_secret_args: creates the secrets if missing and prints the users service's flags for them.
users_secret_args() {
  (umask 077 && mkdir -p "${SECRETS_DIR}")
  if [[ ! -s "${SECRETS_DIR}/users-signing-master.key" ]]; then
    (umask 077 && head -c 32 /dev/urandom >"${SECRETS_DIR}/users-signing-master.key")
  fi
  if [[ ! -s "${ADMIN_PASSWORD_FILE}" ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"${ADMIN_PASSWORD_FILE}")
  fi
  ensure_ed25519_key users-service.pem
  write_service_keys_jwks
  printf '%s\n' \
    "--roles_address=127.0.0.1:${GRPC_PORT[roles]}" \
    "--service_key_file=${SECRETS_DIR}/users-service.pem" \
    "--service_key_id=users-service" \
    "--service_jwks_file=${SECRETS_DIR}/roles-service-keys.jwks" \
    "--signing_key_encryption_key_file=${SECRETS_DIR}/users-signing-master.key" \
    "--bootstrap_admin_email=${ADMIN_EMAIL}" \
    "--bootstrap_admin_password_file=${ADMIN_PASSWORD_FILE}"
}

# roles_args: the roles service's flags: the users service's address, the JWKS of the service
# keys it trusts (the BFF's, for WatchPermissionChanges), and the bootstrap admin's
# account id so that roles grants it `admin` when no admin grant exists yet. The users service
# (started just before) creates that account; this waits for it to be ready (at most 30 s) and
# reads the id from the users schema: a dev-script convenience, not a service reading another's
# tables. Without an id (users not up), roles starts without the flag; `./dev restart` fixes it.
roles_args() {
  local admin_id="" i
  for ((i = 0; i < 150; i++)); do
    is_ready users && break
    sleep 0.2
  done
  admin_id="$("${PG_BIN}/psql" -X -q -tA -h "${PG_HOST}" -p "${PG_PORT}" -U postgres \
    -d "${DB_NAME}" -c "SELECT id FROM users.users WHERE lower(email) = lower('${ADMIN_EMAIL}')" \
    2>/dev/null || true)"
  write_service_keys_jwks
  printf '%s\n' "--users_address=127.0.0.1:${GRPC_PORT[users]}" \
    "--service_jwks_file=${SECRETS_DIR}/roles-service-keys.jwks"
  if [[ -n "${admin_id}" ]]; then
    printf '%s\n' "--bootstrap_admin_user_id=${admin_id}"
  fi
}

# write_service_keys_jwks: (re)writes .data/secrets/roles-service-keys.jwks, the public keys of
# the services' own keys (bff-service, users-service, audit-service; each created once). roles
# trusts it for WatchPermissionChanges, users for WatchUserChanges (the BFF's).
write_service_keys_jwks() {
  local caller
  for caller in bff users audit; do
    ensure_ed25519_key "${caller}-service.pem"
  done
  printf '{"keys":[%s,%s,%s]}\n' "$(ed25519_jwk bff-service)" "$(ed25519_jwk users-service)" \
    "$(ed25519_jwk audit-service)" >"${SECRETS_DIR}/roles-service-keys.jwks"
}

# ensure_ed25519_key FILE: creates an Ed25519 private key in .data/secrets (mode 600) once.
ensure_ed25519_key() {
  (umask 077 && mkdir -p "${SECRETS_DIR}")
  if [[ ! -s "${SECRETS_DIR}/$1" ]]; then
    (umask 077 && openssl genpkey -algorithm ed25519 -out "${SECRETS_DIR}/$1")
  fi
}

# outbox_relay_args NAME: creates NAME's outbox relay key (Ed25519, .data/secrets, once) and
# prints the flags that make NAME ship its outbox to the audit service.
outbox_relay_args() {
  ensure_ed25519_key "$1-outbox-relay.pem"
  printf '%s\n' \
    "--audit_address=127.0.0.1:${GRPC_PORT[audit]}" \
    "--outbox_relay_key_file=${SECRETS_DIR}/$1-outbox-relay.pem" \
    "--outbox_relay_key_id=$1-outbox-relay"
}

# ed25519_jwk KID: the public JWK of the key in .data/secrets/KID.pem, with that kid.
ed25519_jwk() {
  local x
  x="$(openssl pkey -in "${SECRETS_DIR}/$1.pem" -pubout -outform DER | tail -c 32 |
    base64 | tr '+/' '-_' | tr -d '=\n')"
  printf '{"kty":"OKP","crv":"Ed25519","x":"%s","kid":"%s","use":"sig","alg":"EdDSA"}' \
    "${x}" "$1"
}

# The BFF's service-account key (kid bff-service): it signs the token with which the BFF watches
# the roles service's permission changes and the users service's account changes. roles trusts
# it (and users', kid users-service, for the permission watch) through roles-service-keys.jwks;
# users trusts the same file (WatchUserChanges).
bff_args() {
  ensure_ed25519_key bff-service.pem
  printf '%s\n' \
    "--service_key_file=${SECRETS_DIR}/bff-service.pem" \
    "--service_key_id=bff-service"
}

# audit_args: the audit service's flags: where users (JWKS) and roles (permission checks) are,
# an Ed25519 checkpoint key in .data/secrets (created once, mode 600), and the JWKS of the users
# and roles outbox relay keys (rewritten at every start).
audit_args() {
  (umask 077 && mkdir -p "${SECRETS_DIR}")
  if [[ ! -s "${SECRETS_DIR}/audit-checkpoint.pem" ]]; then
    (umask 077 && openssl genpkey -algorithm ed25519 -out "${SECRETS_DIR}/audit-checkpoint.pem")
  fi
  ensure_ed25519_key audit-service.pem
  local producer
  for producer in users roles; do
    outbox_relay_args "${producer}" >/dev/null
  done
  printf '{"keys":[%s,%s]}\n' "$(ed25519_jwk users-outbox-relay)" \
    "$(ed25519_jwk roles-outbox-relay)" \
    >"${SECRETS_DIR}/audit-service-keys.jwks"
  printf '%s\n' \
    "--users_address=127.0.0.1:${GRPC_PORT[users]}" \
    "--roles_address=127.0.0.1:${GRPC_PORT[roles]}" \
    "--checkpoint_key_file=${SECRETS_DIR}/audit-checkpoint.pem" \
    "--service_key_file=${SECRETS_DIR}/audit-service.pem" \
    "--service_key_id=audit-service" \
    "--service_jwks_file=${SECRETS_DIR}/audit-service-keys.jwks"
}

# oidc_args: one --oidc_issuer flag per external OpenID Connect issuer of BACKOFFICE_OIDC_ISSUER
# (issuer|jwks_url|audience, comma-separated), none when it is unset. The BFF, users, roles and
# audit get the same ones: a token the BFF accepts from such an issuer must be accepted by the
# services it is forwarded to.
oidc_args() {
  local -a issuers
  local issuer
  [[ -n "${BACKOFFICE_OIDC_ISSUER:-}" ]] || return 0
  IFS=',' read -r -a issuers <<<"${BACKOFFICE_OIDC_ISSUER}"
  for issuer in "${issuers[@]}"; do
    [[ -n "${issuer}" ]] && printf '%s\n' "--oidc_issuer=${issuer}"
  done
  return 0
}

# component_args NAME: its command-line flags, one per line.
component_args() {
  if [[ "$1" == bff ]]; then
    # Service addresses and the HTTP port are the BFF's defaults (the table above).
    bff_args
    oidc_args
    return 0
  fi
  if [[ "$1" == users ]]; then
    users_secret_args
    outbox_relay_args users
    oidc_args
  fi
  if [[ "$1" == roles ]]; then
    roles_args
    outbox_relay_args roles
    oidc_args
  fi
  if [[ "$1" == audit ]]; then
    audit_args
    oidc_args
  fi
  printf '%s\n' \
    "--grpc_port=${GRPC_PORT[$1]}" \
    "--admin_port=${ADMIN_PORT[$1]}" \
    "--db_host=${PG_HOST}" \
    "--db_port=${PG_PORT}" \
    "--db_name=${DB_NAME}" \
    "--db_user=${DB_USER}"
}

# ready_url NAME: the readiness probe.
ready_url() {
  echo "http://127.0.0.1:$(component_http_port "$1")/readyz"
}

# is_ready NAME: true when its readiness probe answers 2xx.
is_ready() {
  curl -fsS -o /dev/null --max-time 2 "$(ready_url "$1")" 2>/dev/null
}

# component_pid NAME: prints its pid when it runs. A pid file whose process is gone, or now
# belongs to another program, does not count.
component_pid() {
  local pidfile="${RUN_DIR}/$1.pid" pid argv0
  [[ -f "${pidfile}" ]] || return 1
  pid="$(<"${pidfile}")"
  [[ "${pid}" =~ ^[0-9]+$ && -r "/proc/${pid}/cmdline" ]] || return 1
  argv0="$(tr '\0' '\n' <"/proc/${pid}/cmdline" | head -n 1)"
  [[ "${argv0}" == "${BIN_DIR}/$1" ]] || return 1
  echo "${pid}"
}

# build_components: builds every component with Bazel and copies the binaries to .data/bin
# (so that a later build, say with --config=asan, never changes what runs).
build_components() {
  local -a names targets=()
  local name
  mapfile -t names < <(components)
  for name in "${names[@]}"; do
    targets+=("$(component_target "${name}")")
  done
  info "Building ${targets[*]}"
  (cd "${REPO_ROOT}" && bazel build "${targets[@]}") || die "the build failed (output above)"
  BAZEL_BIN="$(cd "${REPO_ROOT}" && bazel info bazel-bin 2>/dev/null)" ||
    die "bazel info bazel-bin failed"
}

# install_binaries: copies the built binaries to .data/bin; run once the old ones stopped.
install_binaries() {
  local name
  mkdir -p "${BIN_DIR}"
  while read -r name; do
    install -m 0755 "${BAZEL_BIN}/$(component_output "${name}")" "${BIN_DIR}/${name}"
  done < <(components)
}

# start_component NAME: starts it in its own session (Ctrl-C in this terminal does not reach
# it), output to .data/logs/NAME.log (the previous log is kept as NAME.log.1).
start_component() {
  local name="$1" log="${LOG_DIR}/$1.log" port
  local -a args
  for port in $(component_ports "${name}"); do
    if port_in_use "${port}"; then
      die "port ${port}, which ${name} needs, is taken by another process"
    fi
  done
  mapfile -t args < <(component_args "${name}")
  if [[ -f "${log}" ]]; then
    mv -f "${log}" "${log}.1"
  fi
  # setsid execs the binary in place (this background job is no process group leader), so $!
  # is the service's own pid.
  setsid "${BIN_DIR}/${name}" "${args[@]}" </dev/null >>"${log}" 2>&1 &
  echo "$!" >"${RUN_DIR}/${name}.pid"
}

# stop_components: stops everything that runs: SIGTERM to all (the BFF first), then up to
# STOP_TIMEOUT seconds for them to exit, then SIGKILL to whatever is left.
stop_components() {
  local -a names running=() left
  local name pid i killed=0 term_deadline kill_deadline
  mapfile -t names < <(components)
  for ((i = ${#names[@]} - 1; i >= 0; i--)); do
    name="${names[i]}"
    if pid="$(component_pid "${name}")"; then
      info "${name}: stopping (pid ${pid})"
      kill -TERM "${pid}" 2>/dev/null || true
      running+=("${name}")
    else
      rm -f "${RUN_DIR}/${name}.pid"
    fi
  done
  term_deadline=$((SECONDS + STOP_TIMEOUT))
  kill_deadline=$((term_deadline + 5))
  while ((${#running[@]} > 0)); do
    left=()
    for name in "${running[@]}"; do
      if component_pid "${name}" >/dev/null; then
        left+=("${name}")
      else
        rm -f "${RUN_DIR}/${name}.pid"
      fi
    done
    running=("${left[@]}")
    if ((${#running[@]} > 0 && killed == 1 && SECONDS >= kill_deadline)); then
      die "still running after SIGKILL: ${running[*]}"
    fi
    if ((${#running[@]} > 0 && killed == 0 && SECONDS >= term_deadline)); then
      killed=1
      for name in "${running[@]}"; do
        if pid="$(component_pid "${name}")"; then
          warn "${name} did not exit ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
          kill -KILL "${pid}" 2>/dev/null || true
        fi
      done
    fi
    if ((${#running[@]} > 0)); then
      sleep 0.1
    fi
  done
}

# show_log_tail NAME: the last lines of its log, on stderr.
show_log_tail() {
  local log="${LOG_DIR}/$1.log"
  printf '\n---- last lines of %s ----\n' "$(relative "${log}")" >&2
  tail -n 30 "${log}" >&2 || true
  printf -- '----\n' >&2
}

# wait_until_ready NAME...: waits up to READY_TIMEOUT seconds until every NAME answers /readyz.
# Returns non-zero, after showing the log of each that exited or never got ready.
wait_until_ready() {
  local -a pending=("$@") next failed=()
  local name deadline=$((SECONDS + READY_TIMEOUT))
  while ((${#pending[@]} > 0)); do
    next=()
    for name in "${pending[@]}"; do
      if ! component_pid "${name}" >/dev/null; then
        printf 'dev: error: %s exited during start-up\n' "${name}" >&2
        failed+=("${name}")
      elif is_ready "${name}"; then
        info "${name}: ready ($(ready_url "${name}"))"
      else
        next+=("${name}")
      fi
    done
    pending=("${next[@]}")
    if ((${#pending[@]} > 0 && SECONDS >= deadline)); then
      for name in "${pending[@]}"; do
        printf 'dev: error: %s not ready after %ss (%s)\n' "${name}" "${READY_TIMEOUT}" \
          "$(ready_url "${name}")" >&2
      done
      failed+=("${pending[@]}")
      break
    fi
    if ((${#pending[@]} > 0)); then
      sleep 0.5
    fi
  done
  for name in "${failed[@]}"; do
    show_log_tail "${name}"
  done
  ((${#failed[@]} == 0))
}
