#!/usr/bin/env bash
# The one test command (README "Test"): installs what it needs, lints, builds every package once, type-checks,
# checks package exports, runs every test suite and prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_deps
bash scripts/ensure-services.sh
rm -f .test-results/*.json
pnpm exec biome check .
pnpm exec turbo run build lint:pkg typecheck --output-logs=errors-only
status=0
pnpm exec turbo run test --concurrency=1 --output-logs=full || status=$?
# Benchmarks in quick mode: fail only on ratio sanity, never on absolute times.
pnpm bench --quick || { echo "bench: ratio sanity FAILED" >&2; status=1; }
# Last line of the run: "Tests: N passed, M failed, K skipped".
node scripts/test-summary.mjs || status=$?
exit $status
