# Shared helpers for scripts/start.sh and scripts/test.sh: only Node 20 + npm are assumed.
export TURBO_TELEMETRY_DISABLED=1
export DO_NOT_TRACK=1
PNPM_VERSION=10.34.9

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    return 0
  fi
  echo "› installing pnpm@$PNPM_VERSION" >&2
  if ! npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    # No permission for a global install: run pnpm through npx instead.
    pnpm() { npx --yes "pnpm@$PNPM_VERSION" "$@"; }
    export -f pnpm
  fi
}

install_deps() {
  ensure_pnpm
  pnpm install --frozen-lockfile --prefer-offline
}
