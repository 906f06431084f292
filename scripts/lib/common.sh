# Shared by scripts/run and scripts/test: package lists, installation, ccache.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# What building needs (scripts/run and a plain cmake build).
BUILD_PACKAGES=(
  build-essential cmake pkg-config ccache git
  libcpp-httplib-dev nlohmann-json3-dev libsoci-dev libboost-dev libsqlite3-dev libpq-dev
  libssl-dev libsodium-dev libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libpugixml-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libintelrdfpmath-dev libhowardhinnant-date-dev libpcre2-dev tzdata
  libcairo2-dev libqrencode-dev fonts-noto-cjk libxlsxwriter-dev
)
# What the tests need on top: PostgreSQL, clang-16 for the fuzzers, clang-tidy/format.
TEST_PACKAGES=(
  postgresql sqlite3 curl poppler-utils clang-16 libclang-rt-16-dev clang-tidy-16 clang-format-16
)

log() { printf '\n== %s\n' "$*" >&2; }

# install_packages NAME...: apt-get only what dpkg says is missing; `apt-get update` only then.
install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# ccache keyed on paths relative to the clone, so a fresh clone in a new folder still hits.
setup_ccache() {
  export CCACHE_BASEDIR="$ROOT"
  export CCACHE_NOHASHDIR=1
  export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
}

# node and npm for the feelin differential test: Debian's packages unless a node is already there
# (NodeSource's bundles npm). feelin 8.2.0 needs node >= 20.12; Debian 12's is 18 (test skipped).
install_node() { command -v node >/dev/null && command -v npm >/dev/null || install_packages nodejs npm; }

# install_feelin DIR: `npm ci` of tests/feelin into DIR, outside the source tree, from the npm
# cache when it can (--prefer-offline); nothing to do when DIR already has this lock file.
install_feelin() {
  local dir=$1 lock="$ROOT/tests/feelin/package-lock.json"
  cmp -s "$lock" "$dir/package-lock.json" && [ -d "$dir/node_modules/feelin" ] && return 0
  mkdir -p "$dir" && cp "$ROOT/tests/feelin/package.json" "$lock" "$dir/"
  (cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
}

jobs() { nproc 2>/dev/null || echo 2; }
