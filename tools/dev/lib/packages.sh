# shellcheck shell=bash
# Installs the Debian packages the project needs and prepares Bazel's disk cache.

# wanted_packages: the names in tools/dev/packages.txt, one per line (comments dropped).
wanted_packages() {
  sed -e 's/#.*//' -e 's/[[:space:]]//g' "${PACKAGES_FILE}" | grep -v '^$'
}

# is_installed PACKAGE: true when dpkg has PACKAGE fully installed.
is_installed() {
  local state
  # shellcheck disable=SC2016  # ${db:Status-Status} is dpkg-query's format, not a shell variable.
  state="$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)"
  [[ "${state}" == "installed" ]]
}

# ensure_packages: installs whatever is missing from packages.txt; runs `apt-get update` once,
# and only when something is missing.
ensure_packages() {
  command -v dpkg-query >/dev/null 2>&1 || die "this needs Debian 12 (apt-get and dpkg)"
  local -a wanted missing=()
  local package
  mapfile -t wanted < <(wanted_packages)
  for package in "${wanted[@]}"; do
    is_installed "${package}" || missing+=("${package}")
  done
  if ((${#missing[@]} == 0)); then
    info "Debian packages: all ${#wanted[@]} installed"
    return 0
  fi
  info "Debian packages: installing ${missing[*]}"
  as_root apt-get -q update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -q install -y "${missing[@]}"
}

# ensure_disk_caches: creates every --disk_cache folder named in .bazelrc (the default one and
# the one of --config=asan) and makes it writable for the user who runs Bazel.
ensure_disk_caches() {
  local dir
  while read -r dir; do
    [[ -n "${dir}" ]] || continue
    if [[ ! -d "${dir}" ]]; then
      as_root mkdir -p "${dir}"
    fi
    if [[ ! -w "${dir}" ]]; then
      as_root chown -R "$(id -u):$(id -g)" "${dir}"
    fi
  done < <(grep -o -- '--disk_cache=[^[:space:]]*' "${REPO_ROOT}/.bazelrc" | cut -d= -f2- | sort -u)
}

# ensure_node_tools: Node.js and npm (Debian's nodejs and npm when the machine has no node or
# npm), then the npm packages the tests use: tools/openapi/install.sh, tools/oidc/install.sh and
# tools/dataproviders/install.sh run `npm ci` there when node_modules is missing or
# package-lock.json changed. Checked by command rather than listed in packages.txt: a machine may
# already have a Node.js package from another source, which conflicts with Debian's npm package.
ensure_node_tools() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    info "Node.js: installing Debian's nodejs and npm"
    as_root apt-get -q update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -q install -y nodejs npm
  fi
  # The npm packages of the OpenAPI lint (tools/openapi), the BFF's test OpenID Connect provider
  # (tools/oidc) and the admin data providers its e2e test drives (tools/dataproviders). A failed
  # install must not stop ./dev test before its summary line: retry once from scratch, then go
  # on; the tests that need the packages then fail, and say why, like any other test.
  local tool
  for tool in openapi oidc dataproviders; do
    if ! "${REPO_ROOT}/tools/${tool}/install.sh"; then
      warn "installing tools/${tool}'s npm packages failed; retrying once from scratch"
      rm -rf "${REPO_ROOT}/tools/${tool}/node_modules"
      "${REPO_ROOT}/tools/${tool}/install.sh" ||
        warn "installing tools/${tool}'s npm packages failed again: the tests that use it will fail"
    fi
  done
}
