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
pnpm exec turbo run build typecheck --output-logs=errors-only
status=0
# The package checks (publint, attw on each packed tarball) need only the build: they run beside the suites
# (`--only`: no dependency task, so turbo does not restore build outputs under running tests).
lint_log=$(mktemp)
pnpm exec turbo run lint:pkg --only --output-logs=errors-only > "$lint_log" 2>&1 &
lint_pid=$!
# Every package's suites in one vitest run (vitest.config.ts: each package's config is a project): the files of
# all packages share one pool of workers, so no package waits for another's slowest file. --continue-like: a
# failing file does not stop the others (the summary line counts every failure).
pnpm exec vitest run || status=$?
wait "$lint_pid" || { cat "$lint_log"; echo "package checks (publint, attw): FAILED" >&2; status=1; }
# The installed tarballs (release-check's scratch project, reused) on Node 22 and 24 from the npm registry,
# beside the quick benchmark (mostly npx and process start-up; the quick bench reports no timings anyone reads).
nodes_log=$(mktemp)
node tools/release-check/src/other-nodes.mjs 22 24 > "$nodes_log" 2>&1 &
nodes_pid=$!
# Benchmarks in quick mode: fail only on ratio sanity, never on absolute times.
# Straight to the bench package: every package is built above (`pnpm bench` would run turbo's build again).
pnpm --filter @offcode/bench bench --quick || { echo "bench: ratio sanity FAILED" >&2; status=1; }
nodes_status=0
wait "$nodes_pid" || nodes_status=$?
cat "$nodes_log"
[ "$nodes_status" = 0 ] || { echo "packages on Node 22/24: FAILED" >&2; status=1; }
rm -f "$lint_log" "$nodes_log"
# Last line of the run: "Tests: N passed, M failed, K skipped".
node scripts/test-summary.mjs || status=$?
exit $status
