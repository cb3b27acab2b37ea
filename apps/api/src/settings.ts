/**
 * The settings of the HTTP application (server.md §4): listen address, body limit, integration credentials,
 * metrics, the demo, logging and the plaintext-keys opt-in, declared with the server's declaration helper. The
 * application reads the environment once: the server's settings through `loadConfig`, these through
 * `loadApiSettings`, and passes them to the server, the routes and Fastify as options. The reference table
 * (docs/settings.md) is generated from these declarations and the server's (settings-reference.ts).
 */

import type { IntegrationCredential } from '@offcode/fastify';
import { isValidName } from '@offcode/protocol';
import { ConfigError, type ConfigInput, loadConfig, type OffcodeConfig } from '@offcode/server';
import {
  boolean,
  defineSettings,
  integer,
  listOf,
  oneOf,
  parseSettings,
  type SettingKind,
  type SettingsValues,
  setting,
  settingNames,
  text,
} from '@offcode/server/internal';
import { TOOL_SETTINGS } from './settings-tools.js';

const API = '@offcode/api';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const credentialPair: SettingKind<IntegrationCredential> = {
  describe: '`token:secret`',
  parse(pair) {
    const colon = pair.indexOf(':');
    const token = colon > 0 ? pair.slice(0, colon) : '';
    const secret = colon > 0 ? pair.slice(colon + 1) : '';
    if (token === '' || secret === '' || /\s/.test(token)) {
      return { ok: false, problems: [{ rule: 'must be token:secret with a non-empty token and secret' }] };
    }
    return { ok: true, value: { token, secret } };
  },
};

export const API_SETTINGS = defineSettings({
  port: setting({
    name: 'OFFCODE_PORT',
    aliases: ['PORT'],
    kind: integer(0, 65_535),
    default: 8080,
    meaning: 'listen port; 0 = OS-assigned (tests)',
    owner: API,
  }),
  host: setting({
    name: 'OFFCODE_HOST',
    kind: text('host name or IP address', 'must be a host name or IP address', (v) =>
      /^[A-Za-z0-9.:[\]%_-]{1,255}$/.test(v),
    ),
    default: '127.0.0.1',
    meaning:
      'listen address; not a loopback address → `OFFCODE_MASTER_KEY` required (or `OFFCODE_ALLOW_PLAINTEXT_KEYS=true`)',
    owner: API,
  }),
  bodyLimitBytes: setting({
    name: 'OFFCODE_BODY_LIMIT_BYTES',
    kind: integer(1024, 1_048_576),
    default: 65_536,
    meaning: 'request body limit; larger → 400 ERR0024 naming `body`',
    owner: API,
  }),
  integrationCredentials: setting<IntegrationCredential[]>({
    name: 'OFFCODE_INTEGRATION_CREDENTIALS',
    kind: listOf(credentialPair),
    default: [],
    defaultText: 'unset (protected routes open)',
    meaning: 'HTTP Basic pairs of the bank back end for every protected route (server.md §1.5)',
    secret: true,
    owner: API,
    emptyIsUnset: true,
  }),
  metricsEnabled: setting({
    name: 'OFFCODE_METRICS_ENABLED',
    kind: boolean,
    default: true,
    meaning: '`/metrics` (protected, server.md §1.5)',
    owner: API,
  }),
  demoEnabled: setting({
    name: 'OFFCODE_DEMO_ENABLED',
    kind: boolean,
    default: false,
    defaultText: '`false` (`npm start` sets `true`)',
    meaning: '`/demo/**` and its seed; protected by the integration credentials when they are set',
    owner: API,
  }),
  demoApplication: setting({
    name: 'OFFCODE_DEMO_APPLICATION',
    kind: text('name, 1..255 characters', 'must be 1..255 characters without control characters', (v) =>
      isValidName(v),
    ),
    default: 'offcode-demo',
    meaning: 'demo application, created at start if missing (`commitOnKeyExchange=true`)',
    owner: API,
  }),
  logLevel: setting<LogLevel>({
    name: 'OFFCODE_LOG_LEVEL',
    kind: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    meaning: 'JSON log lines on stdout; per-request lines only at `debug` and `trace`',
    owner: API,
  }),
  banner: setting({
    name: 'OFFCODE_BANNER',
    kind: oneOf(['auto', 'true', 'false']),
    default: 'auto',
    meaning:
      'the human start banner (URLs, CLI line) on stdout: `auto` = only when stdout is a terminal; without it start-up, warnings and stop are JSON log lines',
    owner: API,
  }),
  allowPlaintextKeys: setting({
    name: 'OFFCODE_ALLOW_PLAINTEXT_KEYS',
    kind: boolean,
    default: false,
    meaning: '`true` → start without `OFFCODE_MASTER_KEY` on a non-loopback host (server.md §6.10)',
    owner: API,
  }),
});

export type ApiSettings = SettingsValues<typeof API_SETTINGS>;

/** What the application runs with: the server's configuration and its own settings. */
export type ApiConfig = OffcodeConfig & ApiSettings;

/** Loopback listen addresses: only this machine can connect (`localhost`, 127.0.0.0/8, `::1`). */
export const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Reads the server's and the application's settings from the environment (or an options object with the same
 * names). Never throws for bad values: one line per problem in `errors`; unknown `OFFCODE_*` names are warnings.
 */
export function loadApiSettings(
  env: ConfigInput,
  options: { knownNames?: Iterable<string> } = {},
): { config: ApiConfig; errors: string[]; warnings: string[] } {
  const server = loadConfig(env, {
    knownNames: [
      ...settingNames(API_SETTINGS),
      ...TOOL_SETTINGS.map((s) => s.name),
      ...(options.knownNames ?? []),
    ],
  });
  const app = parseSettings(API_SETTINGS, env);
  const config: ApiConfig = { ...server.config, ...app.values };
  const errors = [...app.errors, ...server.errors];
  if (config.masterKey === null && !isLoopbackHost(config.host) && !config.allowPlaintextKeys) {
    // Anyone who can reach the address could then read the private keys from a copy of the database.
    errors.push(
      `config: OFFCODE_MASTER_KEY must be set when OFFCODE_HOST is not a loopback address (keys would be stored in plaintext), got host "${config.host}"; set OFFCODE_ALLOW_PLAINTEXT_KEYS=true to accept that`,
    );
  }
  return { config, errors, warnings: server.warnings };
}

/** Like loadApiSettings, but throws one ConfigError listing every problem (tests, embedding). */
export function loadApiSettingsOrThrow(env: ConfigInput): ApiConfig {
  const { config, errors } = loadApiSettings(env);
  if (errors.length > 0) throw new ConfigError(errors);
  return config;
}
