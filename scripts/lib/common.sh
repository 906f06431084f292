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
  libcairo2-dev libqrencode-dev fonts-noto-cjk libxlsxwriter-dev zlib1g-dev
  libgoogle-perftools-dev
)
# What the tests need on top: PostgreSQL, clang-16 for the fuzzers, clang-tidy/format.
TEST_PACKAGES=(
  postgresql sqlite3 curl poppler-utils clang-16 libclang-rt-16-dev clang-tidy-16 clang-format-16
  chromium fonts-noto-cjk
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

# npm_ci_into DIR PACKAGE_DIR: `npm ci` of PACKAGE_DIR's lock file into DIR (outside the source
# tree), from the npm cache when it can; nothing to do when DIR already has this lock file.
npm_ci_into() {
  local dir=$1 pkg=$2
  cmp -s "$pkg/package-lock.json" "$dir/package-lock.json" && [ -d "$dir/node_modules" ] && return 0
  mkdir -p "$dir" && cp "$pkg/package.json" "$pkg/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
}

# build_web [OUT]: the web pages (web/, Vite) built into OUT (default build/web), which
# `tongban serve` serves. The sources are copied next to their node_modules in build/web-src, so
# nothing is written into web/. Fails (non-zero) when npm or Vite fails.
build_web() {
  local out=${1:-$ROOT/build/web} src=$ROOT/build/web-src
  install_node
  npm_ci_into "$src" "$ROOT/web" || return 1
  rm -rf "$src/src" "$src/public"
  cp -r "$ROOT/web/src" "$ROOT/web/public" "$ROOT/web/index.html" "$ROOT/web/vite.config.js" "$src/"
  (cd "$src" && TONGBAN_WEB_OUT="$out" node node_modules/vite/bin/vite.js build --logLevel warn)
}

# browser_tests [FLOW...]: tests/browser (playwright-core + axe-core, npm ci into
# build/browser-node) against `TONGBAN_BIN serve --demo` (default build-asan/tongban) and the
# pages in build/web, in Debian's chromium. Screenshots go to build/browser/screenshots/.
browser_tests() {
  local dir=$ROOT/build/browser-node
  install_node
  npm_ci_into "$dir" "$ROOT/tests/browser" || return 1
  cp "$ROOT"/tests/browser/*.mjs "$dir/"
  TONGBAN_ROOT="$ROOT" TONGBAN_BIN="${TONGBAN_BIN:-$ROOT/build-asan/tongban}" \
    TONGBAN_WEB_DIR="$ROOT/build/web" node "$dir/run.mjs" "$@"
}

jobs() { nproc 2>/dev/null || echo 2; }
