/**
 * Environment switches read outside the server and the HTTP application — the command line, the token package,
 * development and test tooling. Each is parsed by its owner where it is used; they are declared here so the
 * reference table (docs/settings.md) lists them, the unknown-name warning of the API does not call them typos,
 * and the repository check (test/settings-reference.test.ts) knows every `OFFCODE_*` name the code reads.
 */
import type { DocumentedSetting } from '@offcode/server/internal';

export const TOOL_SETTINGS: readonly DocumentedSetting[] = [
  {
    name: 'OFFCODE_DEBUG',
    owner: '@offcode/cli',
    describe: '`1`',
    defaultText: 'unset',
    meaning: 'the `offcode` command adds detail lines (the cause, the stack) after its one-line error',
  },
  {
    name: 'OFFCODE_DEBUG_HOLD_AFTER_PERSIST',
    owner: '@offcode/cli',
    describe: '`1`',
    defaultText: 'unset',
    meaning:
      'test hook: `offcode token approve` stops after the counter is persisted and before the code is printed, holding the state lock (kill tests)',
  },
  {
    name: 'OFFCODE_SHARED_VECTORS',
    owner: 'scripts, tools/test-harness',
    describe: 'path',
    defaultText: '`../shared/vectors` beside the checkout',
    meaning:
      'folder of the published PowerAuth vector files the suites replay (relative to the repository root); see test-vectors/README.md',
  },
  {
    name: 'OFFCODE_URL',
    owner: 'packages/client README example',
    describe: 'URL',
    defaultText: '`http://127.0.0.1:8080`',
    meaning:
      'the API the token example of the client README talks to (its test runs it against a real server)',
  },
  {
    name: 'OFFCODE_BENCH_DATABASE_URL',
    owner: '@offcode/bench',
    describe: '`postgres://…` URL',
    defaultText: '`postgres://postgres@127.0.0.1:5432/postgres`',
    meaning: 'administrative PostgreSQL connection of `pnpm bench` (creates and drops its databases)',
    secret: true,
  },
];
