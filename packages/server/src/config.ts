/**
 * Configuration (server.md §4): the server's settings (declared once in settings/server-settings.ts) from
 * environment variables or a same-named options object, validated once at start. All problems are collected
 * (one line each) instead of stopping at the first. HTTP settings belong to the HTTP application.
 */
import { createHash } from 'node:crypto';
import { OffcodeBaseError } from '@offcode/errors';
import {
  type ConfigInput,
  parseSettings,
  type SettingsValues,
  settingDefaults,
  settingNames,
} from './settings/declare.js';
import { SERVER_SETTINGS } from './settings/server-settings.js';

// The one protocol-version type lives in @offcode/crypto-wasm (re-exported by @offcode/protocol).
export type { ProtocolVersion } from '@offcode/protocol';
export type { ConfigInput } from './settings/declare.js';
export type { PayloadRegistryMode } from './settings/server-settings.js';

/** The server's settings, by field; see docs/settings.md for every name, range and default. */
export type OffcodeConfig = SettingsValues<typeof SERVER_SETTINGS>;

export interface LoadConfigResult {
  /** Defaults filled in; when `errors` is not empty, the fields with errors hold their defaults. */
  config: OffcodeConfig;
  /** `config: NAME must be …, got "…"`, one per problem; non-empty → do not start (exit code 2). */
  errors: string[];
  /** Unknown OFFCODE_* names, plaintext mode and other things an operator should see at every start. */
  warnings: string[];
}

export interface LoadConfigOptions {
  /**
   * Names other layers read (the HTTP application's settings): not reported as unknown. Every other
   * `OFFCODE_*` name of the input that the server does not declare gets a typo warning.
   */
  knownNames?: Iterable<string>;
}

/** Invalid configuration; `errors` holds one line per problem, `field` names the first setting at fault. */
export class ConfigError extends OffcodeBaseError {
  override readonly name = 'ConfigError';
  constructor(readonly errors: readonly string[]) {
    super('input', 'INVALID_CONFIG', errors.join('\n'), {
      field: /^config: (\S+) /.exec(errors[0] ?? '')?.[1] ?? null,
    });
  }
}

/** The defaults of server.md §4 (no master key, PGlite in ./.offcode/pgdata). */
export const defaultConfig = (): OffcodeConfig => settingDefaults(SERVER_SETTINGS);

/** The 4-byte key id of an at-rest key (server.md §5.2), hex, for messages. */
export function masterKeyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest().subarray(0, 4).toString('hex');
}

/** Typo warnings for `OFFCODE_*` names nobody declares. */
export function unknownSettingWarnings(env: ConfigInput, known: ReadonlySet<string>): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('OFFCODE_') && !known.has(name))
    .map((name) => `config: unknown variable ${name} is ignored (typo?)`);
}

/**
 * Validates the environment (or an options object with the same names). Never throws for bad values:
 * every problem becomes one line in `errors`.
 */
export function loadConfig(
  env: ConfigInput = process.env,
  options: LoadConfigOptions = {},
): LoadConfigResult {
  const { values: config, given, errors } = parseSettings(SERVER_SETTINGS, env);
  const known = new Set([...settingNames(SERVER_SETTINGS), ...(options.knownNames ?? [])]);
  const warnings = unknownSettingWarnings(env, known);

  // The PowerAuth compatibility profile; explicit variables still win.
  if (config.compatPowerauth) {
    if (!given.has('payloadRegistry')) config.payloadRegistry = 'off';
    if (!given.has('compatCreateAnyStatus')) config.compatCreateAnyStatus = true;
  }
  if (config.tempBlockMaxPeriodMs < config.tempBlockPeriodMs) {
    if (given.has('tempBlockMaxPeriodMs')) {
      errors.push(
        `config: OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS must be at least OFFCODE_TEMP_BLOCK_PERIOD_MS (${config.tempBlockPeriodMs}), got "${config.tempBlockMaxPeriodMs}"`,
      );
    } else config.tempBlockMaxPeriodMs = config.tempBlockPeriodMs;
  }
  if (config.masterKey === null) {
    warnings.push(
      'config: OFFCODE_MASTER_KEY is not set: private keys and activation secrets are stored in PLAINTEXT (set a Base64 32-byte key)',
    );
    if (config.masterKeyPrevious.length > 0) {
      errors.push(
        'config: OFFCODE_MASTER_KEY_PREVIOUS needs OFFCODE_MASTER_KEY, got a value that is not shown',
      );
    }
  }
  return { config, errors, warnings };
}

/** Like loadConfig, but throws one ConfigError listing every problem (for programmatic use and tests). */
export function loadConfigOrThrow(
  env: ConfigInput = process.env,
  options: LoadConfigOptions = {},
): OffcodeConfig {
  const { config, errors } = loadConfig(env, options);
  if (errors.length > 0) throw new ConfigError(errors);
  return config;
}
