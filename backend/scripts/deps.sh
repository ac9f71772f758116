#!/usr/bin/env bash
# Installs what clinicd needs to build, run and test: the Debian packages below (only the
# missing ones), then the npm packages of each node project directory given as argument.
#
# Usage: backend/scripts/deps.sh [NODE_PROJECT_DIR ...]
#   CLINICD_SKIP_APT=1   skip the Debian part (e.g. no root/sudo, packages managed elsewhere)
#
# Idempotent and quick (well under a second) when everything is present.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config clang libclang-rt-14-dev
  libmicrohttpd-dev libjansson-dev libpq-dev
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib
  libsodium-dev libical-dev libcurl4-openssl-dev libcmocka-dev zlib1g-dev
  wrk valgrind python3-aiosmtpd python3-icalendar haproxy
  nodejs npm chromium
)

say() { printf 'deps: %s\n' "$*" >&2; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# Prints the packages of PACKAGES that are not installed, one per line.
missing_packages() {
  local status
  # One dpkg-query call for all packages; unknown packages only print to stderr.
  status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    case "$pkg" in
      # NodeSource's nodejs package ships npm itself and conflicts with Debian's npm;
      # a node/npm from elsewhere (nvm, NodeSource) is just as good.
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    if ! grep -qE "^${pkg//./\\.} ii" <<<"$status"; then
      printf '%s\n' "$pkg"
    fi
  done
}

install_debian_packages() {
  command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script expects Debian 12 (bookworm)"
  local missing
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi

  local -a sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      die "missing Debian packages (${missing[*]}) and not root and no sudo: install them as root, or set CLINICD_SKIP_APT=1"
    fi
  fi

  say "installing missing Debian packages: ${missing[*]}"
  local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
  "${apt[@]}" update -q >/dev/null || die "apt-get update failed"
  "${apt[@]}" install -y "${missing[@]}" || die "apt-get install failed for: ${missing[*]}"

  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -ne 0 ]; then
    die "still missing after apt-get install: ${missing[*]}"
  fi
}

# npm ci (or npm install without a lockfile) when node_modules is missing or older than
# package.json / package-lock.json, tracked by a stamp file inside node_modules.
install_node_project() {
  local dir=$1
  [ -f "$dir/package.json" ] || die "no package.json in $dir"
  command -v npm >/dev/null 2>&1 || die "npm not found (install the nodejs and npm Debian packages)"
  local stamp="$dir/node_modules/.clinicd-deps-stamp"
  if [ -f "$stamp" ] &&
     ! [ "$dir/package.json" -nt "$stamp" ] &&
     ! { [ -f "$dir/package-lock.json" ] && [ "$dir/package-lock.json" -nt "$stamp" ]; }; then
    return 0
  fi
  if [ -f "$dir/package-lock.json" ]; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir"
  else
    say "npm install in $dir (no package-lock.json)"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed in $dir"
  fi
  mkdir -p "$dir/node_modules"
  touch "$stamp"
}

main() {
  export NPM_CONFIG_UPDATE_NOTIFIER=false
  if [ "${CLINICD_SKIP_APT:-0}" != 1 ]; then
    install_debian_packages
  fi
  local dir
  for dir in "$@"; do
    install_node_project "$dir"
  done
}

main "$@"
