#!/usr/bin/env bash
# The one start command (README "Start"): installs what it needs, builds once, then starts the API with the
# demo on embedded PGlite (http://127.0.0.1:8080). Until apps/api exists it runs the crypto-core demo.
# The demo is off unless asked for (server.md §6.9); this is the local demo, so it asks (an explicit
# OFFCODE_DEMO_ENABLED=false still wins).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_deps
pnpm exec turbo run build --output-logs=errors-only
if [ -f apps/api/package.json ]; then
  export OFFCODE_DEMO_ENABLED="${OFFCODE_DEMO_ENABLED:-true}"
  exec pnpm --filter @offcode/api start
fi
node packages/crypto-wasm/examples/quick-start.mjs
