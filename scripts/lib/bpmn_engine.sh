# bpmn-engine for the side-by-side test (tests/bpmn-engine): `npm ci` from the committed lock into
# the build folder, never into the source tree; again only when the lock changed.
# shellcheck shell=bash

# bpmn_engine_install BUILD_DIR: installs into BUILD_DIR/bpmn-engine-node (the test looks there).
bpmn_engine_install() {
  local dir="$1/bpmn-engine-node" src="$ROOT/tests/bpmn-engine"
  if ! command -v npm >/dev/null; then
    echo "npm is missing: the bpmn-engine side-by-side test will be skipped" >&2
    return 0
  fi
  mkdir -p "$dir"
  if cmp -s "$src/package-lock.json" "$dir/package-lock.json" && [ -d "$dir/node_modules/bpmn-engine" ]; then
    return 0
  fi
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2)
}
