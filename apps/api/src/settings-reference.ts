/**
 * The settings reference, docs/settings.md: generated from the declarations of the server, of this
 * application and of the tools (scripts/gen-settings-doc.mjs writes it; test/settings-reference.test.ts fails
 * when the file is stale).
 */
import { renderSettingsTable, SERVER_SETTINGS, settingsOf } from '@offcode/server/internal';
import { API_SETTINGS } from './settings.js';
import { TOOL_SETTINGS } from './settings-tools.js';

const HEADER = `# Settings reference

<!-- Generated from the declarations (packages/server/src/settings/server-settings.ts, apps/api/src/settings.ts,
apps/api/src/settings-tools.ts) by \`node scripts/gen-settings-doc.mjs\`; do not edit by hand.
apps/api/test/settings-reference.test.ts fails when this file is stale or when code reads an undeclared name. -->

Every setting is an environment variable; \`loadConfig\` of \`@offcode/server\` also takes an options object with
the same names (strings, or typed numbers, booleans and lists). Each is declared once, with its kind, default,
meaning, whether it is secret and the package that owns it; the declaration drives the parsing, the validation
and this table. The behaviour behind them is specified in [server.md §4](spec/server.md#4-configuration).

- Every problem is reported at start, one line each, \`config: NAME must be …, got "…"\` (values cut at 40
  characters and escaped; the value of a **secret** setting is never shown: \`got a value that is not shown\`),
  then the process exits with code 2 without starting anything.
- An \`OFFCODE_*\` name nobody declares gets a warning at start (\`config: unknown variable … is ignored (typo?)\`).
- Integers are decimal digits only (no sign, spaces or exponent); booleans are exactly \`true\` or \`false\`; an empty
  value of a key, URL or credential list means unset, of anything else it is a value (usually refused).`;

const SERVER_RULES = `Rules between server settings:
- \`OFFCODE_COMPAT_POWERAUTH=true\` sets \`OFFCODE_PAYLOAD_REGISTRY=off\` and \`OFFCODE_COMPAT_CREATE_ANY_STATUS=true\`
  unless those are given explicitly.
- \`OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS\` below \`OFFCODE_TEMP_BLOCK_PERIOD_MS\`: an error when given, else raised to the period.
- No \`OFFCODE_MASTER_KEY\`: a plaintext warning at every start; \`OFFCODE_MASTER_KEY_PREVIOUS\` without it is an error.`;

const API_RULES = `Rules of the application:
- \`OFFCODE_HOST\` not a loopback address (\`localhost\`, 127.0.0.0/8, \`::1\`) without \`OFFCODE_MASTER_KEY\`: refused
  unless \`OFFCODE_ALLOW_PLAINTEXT_KEYS=true\` (server.md §6.10).
- \`OFFCODE_HOST\` not a loopback address without \`OFFCODE_INTEGRATION_CREDENTIALS\`: a warning (every protected
  route is open to the network).
- Unset \`OFFCODE_DATA_DIR\` (and no \`DATABASE_URL\`): \`apps/api/.data/pgdata\`, created on first start.
- An application that embeds the server or its routes passes these as options; only this application reads
  them from the environment.`;

const TOOLS_INTRO = `Read by their owners directly (not by the server or the API), declared for this reference and the
repository check:`;

export function renderSettingsReference(): string {
  return [
    HEADER,
    '## Server (`@offcode/server`)',
    renderSettingsTable(settingsOf(SERVER_SETTINGS)),
    SERVER_RULES,
    '## HTTP application (`@offcode/api`)',
    renderSettingsTable(settingsOf(API_SETTINGS)),
    API_RULES,
    '## Command line, development and tests',
    TOOLS_INTRO,
    renderSettingsTable(TOOL_SETTINGS),
  ]
    .join('\n\n')
    .concat('\n');
}

/** Every declared variable name (settings, aliases, tool switches). */
export function declaredSettingNames(): Set<string> {
  return new Set(
    [...settingsOf(SERVER_SETTINGS), ...settingsOf(API_SETTINGS)]
      .flatMap((d) => [d.name, ...d.aliases])
      .concat(TOOL_SETTINGS.map((s) => s.name)),
  );
}
