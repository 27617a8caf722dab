#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) from npm into an ignored cache folder,
# for the end-to-end tests and the extension-host integration tests (test/e2e/run.mjs).
#
# Idempotent: a finished install leaves a stamp file; running again with the stamp present does
# nothing. A failed or interrupted install leaves no stamp and is redone from the start.
#
# Needs: Node 20 + npm (npm registry reachable), a C/C++ toolchain for the native modules
# (make, g++, python3), Kerberos headers, ripgrep, and Chromium to drive the page:
#   apt-get install -y chromium libkrb5-dev ripgrep build-essential python3
#
# Environment:
#   CODE_SERVER_DIR      install folder (default: <repo>/.vscode-test/code-server)
#   CODE_SERVER_VERSION  default 4.100.3 (the 4.100.x line is the last that runs on Node 20)
#   CHROMIUM             browser binary to check for (default: /usr/bin/chromium)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="${CODE_SERVER_VERSION:-4.100.3}"
DIR="${CODE_SERVER_DIR:-$ROOT/.vscode-test/code-server}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
STAMP="$DIR/.installed-$VERSION"
APT_HINT="apt-get update && apt-get install -y chromium libkrb5-dev ripgrep build-essential python3"

fail() {
  echo "install-code-server: $*" >&2
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || fail "'$1' not found. Install it: $2"; }

# --- prerequisites, checked before any download -----------------------------------------------
need node "Node.js 20 (https://nodejs.org)"
need npm "npm (comes with Node.js)"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" = 20 ] || echo "install-code-server: warning: Node $NODE_MAJOR; code-server $VERSION is built for Node 20" >&2
[ -x "$CHROMIUM" ] || command -v "$CHROMIUM" >/dev/null 2>&1 ||
  fail "Chromium not found at $CHROMIUM (set CHROMIUM=...). Install it: $APT_HINT"
need rg "ripgrep: $APT_HINT"

if [ -f "$STAMP" ] && [ -f "$DIR/node_modules/code-server/out/node/entry.js" ]; then
  echo "install-code-server: code-server $VERSION already installed in $DIR"
  exit 0
fi

need make "$APT_HINT"
need g++ "$APT_HINT"
need python3 "$APT_HINT"
if [ ! -f /usr/include/gssapi/gssapi.h ] && [ ! -f /usr/include/gssapi.h ] && ! command -v krb5-config >/dev/null 2>&1; then
  fail "Kerberos headers missing (the 'kerberos' native module needs them). Install them: $APT_HINT"
fi

step() { echo "install-code-server: $*"; }
run() {
  # Runs a step quietly; on failure prints its log tail and says what to check.
  local log="$DIR/install.log"
  if ! "$@" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "step failed: $* (full log: $log). Check network access to the npm registry and the build tools: $APT_HINT"
  fi
}

step "installing code-server $VERSION into $DIR (takes a minute or two)"
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
: >"$DIR/install.log"
run npm init -y
run npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"
export npm_config_yes=true
run npm rebuild argon2

step "installing VS Code's own dependencies"
cd "$DIR/node_modules/code-server/lib/vscode"
# Its postinstall would download ripgrep from GitHub: skip scripts, rebuild the native modules,
# and point @vscode/ripgrep at the system rg.
run npm install --no-audit --no-fund --omit=dev --ignore-scripts
step "building native modules"
run npm rebuild kerberos node-pty native-watchdog @vscode/spdlog @vscode/deviceid @parcel/watcher
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar

# A quick check that the server starts far enough to print its version.
cd "$DIR"
node node_modules/code-server/out/node/entry.js --version >>"$DIR/install.log" 2>&1 ||
  fail "code-server does not start (see $DIR/install.log)"
touch "$STAMP"
step "done: $(node node_modules/code-server/out/node/entry.js --version 2>/dev/null | head -n 1)"
