/**
 * Configuration (server.md §4): every setting from environment variables or a same-named options object,
 * validated once at start. All problems are collected (one line each) instead of stopping at the first.
 */
import { createHash } from 'node:crypto';
import { type ProtocolVersion, tryDecodeBase64Strict } from '@offcode/protocol';
import { hasControlCharacter, isValidName } from './text.js';

export type PayloadRegistryMode = 'off' | 'record' | 'enforce';
// The one protocol-version type lives in @offcode/crypto-wasm (re-exported by @offcode/protocol).
export type { ProtocolVersion } from '@offcode/protocol';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface IntegrationCredential {
  token: string;
  secret: string;
}

export interface OffcodeConfig {
  port: number;
  host: string;
  /** Set → PostgreSQL through `pg`; null → embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  /** PGlite data directory or `memory://`. */
  dataDir: string;
  dbPoolMax: number;
  dbLockTimeoutMs: number;
  autoMigrate: boolean;
  /** 32-byte at-rest key, or null (plaintext mode). */
  masterKey: Uint8Array | null;
  /** Decrypt-only keys (rotation). */
  masterKeyPrevious: Uint8Array[];
  protocolVersions: ProtocolVersion[];
  lookahead: number;
  componentLength: number;
  maxFailedAttempts: number;
  activationExpireMs: number;
  tempBlockEnabled: boolean;
  tempBlockPeriodMs: number;
  tempBlockMultiplier: number;
  tempBlockMaxPeriodMs: number;
  tempBlockMaxBlocks: number;
  tempBlockSweepMs: number;
  totpDigits: number;
  proximityMaxStepCount: number;
  payloadRegistry: PayloadRegistryMode;
  payloadTtlS: number;
  payloadRetentionS: number;
  maxDataBytes: number;
  bodyLimitBytes: number;
  integrationCredentials: IntegrationCredential[];
  compatPowerauth: boolean;
  compatCreateAnyStatus: boolean;
  compatUnknownActivation: 'removed' | 'error';
  cryptoBackend: 'auto' | 'wasm' | 'noble';
  metricsEnabled: boolean;
  demoEnabled: boolean;
  demoApplication: string;
  /** Accept plaintext key storage (no master key) on a non-loopback OFFCODE_HOST (server.md §6.10). */
  allowPlaintextKeys: boolean;
  /** Accept bidirectional override/isolate controls in payload `data` (server.md §1.2). */
  allowBidiControls: boolean;
  environment: string;
  logLevel: LogLevel;
}

export interface LoadConfigResult {
  /** Defaults filled in; when `errors` is not empty, the fields with errors hold their defaults. */
  config: OffcodeConfig;
  /** `config: NAME must be …, got "…"`, one per problem; non-empty → do not start (exit code 2). */
  errors: string[];
  /** Unknown OFFCODE_* names, plaintext mode and other things an operator should see at every start. */
  warnings: string[];
}

/** Values may be strings (environment) or already typed (options object). */
export type ConfigInput = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

const KNOWN = [
  'OFFCODE_PORT',
  'OFFCODE_HOST',
  'OFFCODE_DATA_DIR',
  'OFFCODE_DB_POOL_MAX',
  'OFFCODE_DB_LOCK_TIMEOUT_MS',
  'OFFCODE_AUTO_MIGRATE',
  'OFFCODE_MASTER_KEY',
  'OFFCODE_MASTER_KEY_PREVIOUS',
  'OFFCODE_PROTOCOL_VERSIONS',
  'OFFCODE_LOOKAHEAD',
  'OFFCODE_COMPONENT_LENGTH',
  'OFFCODE_MAX_FAILED_ATTEMPTS',
  'OFFCODE_ACTIVATION_EXPIRE_MS',
  'OFFCODE_TEMP_BLOCK_ENABLED',
  'OFFCODE_TEMP_BLOCK_PERIOD_MS',
  'OFFCODE_TEMP_BLOCK_MULTIPLIER',
  'OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS',
  'OFFCODE_TEMP_BLOCK_MAX_BLOCKS',
  'OFFCODE_TEMP_BLOCK_SWEEP_MS',
  'OFFCODE_TOTP_DIGITS',
  'OFFCODE_PROXIMITY_MAX_STEP_COUNT',
  'OFFCODE_PAYLOAD_REGISTRY',
  'OFFCODE_PAYLOAD_TTL_S',
  'OFFCODE_PAYLOAD_RETENTION_S',
  'OFFCODE_MAX_DATA_BYTES',
  'OFFCODE_BODY_LIMIT_BYTES',
  'OFFCODE_INTEGRATION_CREDENTIALS',
  'OFFCODE_COMPAT_POWERAUTH',
  'OFFCODE_COMPAT_CREATE_ANY_STATUS',
  'OFFCODE_COMPAT_UNKNOWN_ACTIVATION',
  'OFFCODE_CRYPTO_BACKEND',
  'OFFCODE_METRICS_ENABLED',
  'OFFCODE_DEMO_ENABLED',
  'OFFCODE_DEMO_APPLICATION',
  'OFFCODE_ALLOW_PLAINTEXT_KEYS',
  'OFFCODE_ALLOW_BIDI_CONTROLS',
  'OFFCODE_ENVIRONMENT',
  'OFFCODE_LOG_LEVEL',
] as const;

/** Names whose values are never echoed in messages. */
const SECRET_NAMES = new Set([
  'OFFCODE_MASTER_KEY',
  'OFFCODE_MASTER_KEY_PREVIOUS',
  'OFFCODE_INTEGRATION_CREDENTIALS',
]);

/** Longest value quoted back in a message. */
const MAX_ECHO = 40;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The defaults of server.md §4 (no master key, PGlite in ./.offcode/pgdata). */
export function defaultConfig(): OffcodeConfig {
  return {
    port: 8080,
    host: '127.0.0.1',
    databaseUrl: null,
    dataDir: './.offcode/pgdata',
    dbPoolMax: 10,
    dbLockTimeoutMs: 10_000,
    autoMigrate: true,
    masterKey: null,
    masterKeyPrevious: [],
    protocolVersions: [3, 4],
    lookahead: 20,
    componentLength: 8,
    maxFailedAttempts: 5,
    activationExpireMs: 300_000,
    tempBlockEnabled: false,
    tempBlockPeriodMs: 300_000,
    tempBlockMultiplier: 2,
    tempBlockMaxPeriodMs: 86_400_000,
    tempBlockMaxBlocks: 0,
    tempBlockSweepMs: 60_000,
    totpDigits: 8,
    proximityMaxStepCount: 4,
    payloadRegistry: 'enforce',
    payloadTtlS: 300,
    payloadRetentionS: 86_400,
    maxDataBytes: 2048,
    bodyLimitBytes: 65_536,
    integrationCredentials: [],
    compatPowerauth: false,
    compatCreateAnyStatus: false,
    compatUnknownActivation: 'removed',
    cryptoBackend: 'auto',
    metricsEnabled: true,
    demoEnabled: false,
    demoApplication: 'offcode-demo',
    allowPlaintextKeys: false,
    allowBidiControls: false,
    environment: '',
    logLevel: 'info',
  };
}

/** Strict Base64 (crypto.md 1.1) of exactly `length` bytes, or null. */
function decodeKey(text: string, length: number): Uint8Array | null {
  const bytes = tryDecodeBase64Strict(text);
  return bytes && bytes.length === length ? bytes : null;
}

/** Loopback listen addresses: only this machine can connect (`localhost`, 127.0.0.0/8, `::1`). */
export const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The 4-byte key id of an at-rest key (server.md §5.2), hex, for messages. */
export function masterKeyId(key: Uint8Array): string {
  return createHash('sha256').update(key).digest().subarray(0, 4).toString('hex');
}

/**
 * Validates the environment (or an options object with the same names). Never throws for bad values:
 * every problem becomes one line in `errors`.
 */
export function loadConfig(env: ConfigInput = process.env): LoadConfigResult {
  const config = defaultConfig();
  const errors: string[] = [];
  const warnings: string[] = [];

  const raw = (name: string): string | undefined => {
    const v = env[name];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v.join(',');
    return String(v);
  };
  const echo = (name: string, value: string): string =>
    SECRET_NAMES.has(name)
      ? 'a value that is not shown'
      : `"${value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value}"`;
  const fail = (name: string, rule: string, value: string): void => {
    errors.push(`config: ${name} ${rule}, got ${echo(name, value)}`);
  };

  const int = (name: string, min: number, max: number, set: (v: number) => void, fallback?: string): void => {
    const v = raw(name) ?? (fallback === undefined ? undefined : raw(fallback));
    if (v === undefined) return;
    const n = /^[0-9]+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      fail(name, `must be an integer in ${min}..${max}`, v);
      return;
    }
    set(n);
  };
  const bool = (name: string, set: (v: boolean) => void): boolean => {
    const v = raw(name);
    if (v === undefined) return false;
    if (v !== 'true' && v !== 'false') {
      fail(name, 'must be true or false', v);
      return false;
    }
    set(v === 'true');
    return true;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], set: (v: T) => void): boolean => {
    const v = raw(name);
    if (v === undefined) return false;
    if (!(values as readonly string[]).includes(v)) {
      fail(name, `must be one of ${values.join('|')}`, v);
      return false;
    }
    set(v as T);
    return true;
  };

  for (const name of Object.keys(env)) {
    if (name.startsWith('OFFCODE_') && !(KNOWN as readonly string[]).includes(name)) {
      warnings.push(`config: unknown variable ${name} is ignored (typo?)`);
    }
  }

  int('OFFCODE_PORT', 0, 65_535, (v) => (config.port = v), 'PORT');
  const host = raw('OFFCODE_HOST');
  if (host !== undefined) {
    if (!/^[A-Za-z0-9.:[\]%_-]{1,255}$/.test(host))
      fail('OFFCODE_HOST', 'must be a host name or IP address', host);
    else config.host = host;
  }

  const databaseUrl = raw('DATABASE_URL');
  if (databaseUrl !== undefined && databaseUrl !== '') {
    if (!/^postgres(?:ql)?:\/\/\S+$/.test(databaseUrl)) {
      // The URL may carry a password: never echo it.
      errors.push(
        'config: DATABASE_URL must be a postgres:// or postgresql:// URL, got a value that is not shown',
      );
    } else config.databaseUrl = databaseUrl;
  }
  const dataDir = raw('OFFCODE_DATA_DIR');
  if (dataDir !== undefined) {
    if (dataDir === '' || hasControlCharacter(dataDir))
      fail('OFFCODE_DATA_DIR', 'must be a path or memory://', dataDir);
    else config.dataDir = dataDir;
  }
  int('OFFCODE_DB_POOL_MAX', 1, 100, (v) => (config.dbPoolMax = v));
  int('OFFCODE_DB_LOCK_TIMEOUT_MS', 100, 60_000, (v) => (config.dbLockTimeoutMs = v));
  bool('OFFCODE_AUTO_MIGRATE', (v) => (config.autoMigrate = v));

  const masterKey = raw('OFFCODE_MASTER_KEY');
  if (masterKey !== undefined && masterKey !== '') {
    const key = decodeKey(masterKey, 32);
    if (!key) fail('OFFCODE_MASTER_KEY', 'must be Base64 of exactly 32 bytes', masterKey);
    else config.masterKey = key;
  }
  const previous = raw('OFFCODE_MASTER_KEY_PREVIOUS');
  if (previous !== undefined && previous !== '') {
    previous.split(',').forEach((item, index) => {
      const key = decodeKey(item.trim(), 32);
      if (!key)
        fail('OFFCODE_MASTER_KEY_PREVIOUS', `item ${index + 1} must be Base64 of exactly 32 bytes`, item);
      else config.masterKeyPrevious.push(key);
    });
  }

  const versions = raw('OFFCODE_PROTOCOL_VERSIONS');
  if (versions !== undefined) {
    const items = versions.split(',').map((s) => s.trim());
    if (items.length === 0 || items.some((s) => s !== '3' && s !== '4')) {
      fail('OFFCODE_PROTOCOL_VERSIONS', 'must be a comma list of 3 and/or 4', versions);
    } else {
      config.protocolVersions = [...new Set(items.map((s) => Number(s) as ProtocolVersion))].sort();
    }
  }
  int('OFFCODE_LOOKAHEAD', 1, 64, (v) => (config.lookahead = v));
  int('OFFCODE_COMPONENT_LENGTH', 4, 8, (v) => (config.componentLength = v));
  int('OFFCODE_MAX_FAILED_ATTEMPTS', 1, 64, (v) => (config.maxFailedAttempts = v));
  int('OFFCODE_ACTIVATION_EXPIRE_MS', 10_000, 604_800_000, (v) => (config.activationExpireMs = v));

  bool('OFFCODE_TEMP_BLOCK_ENABLED', (v) => (config.tempBlockEnabled = v));
  int('OFFCODE_TEMP_BLOCK_PERIOD_MS', 1000, 86_400_000, (v) => (config.tempBlockPeriodMs = v));
  const multiplier = raw('OFFCODE_TEMP_BLOCK_MULTIPLIER');
  if (multiplier !== undefined) {
    const n = /^[0-9]+(?:\.[0-9]+)?$/.test(multiplier) ? Number(multiplier) : Number.NaN;
    if (!(n >= 1 && n <= 10)) fail('OFFCODE_TEMP_BLOCK_MULTIPLIER', 'must be a number in 1..10', multiplier);
    else config.tempBlockMultiplier = n;
  }
  const maxPeriodGiven = raw('OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS') !== undefined;
  int('OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS', 1000, 31_536_000_000, (v) => (config.tempBlockMaxPeriodMs = v));
  if (config.tempBlockMaxPeriodMs < config.tempBlockPeriodMs) {
    if (maxPeriodGiven) {
      errors.push(
        `config: OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS must be at least OFFCODE_TEMP_BLOCK_PERIOD_MS (${config.tempBlockPeriodMs}), got "${config.tempBlockMaxPeriodMs}"`,
      );
    } else config.tempBlockMaxPeriodMs = config.tempBlockPeriodMs;
  }
  int('OFFCODE_TEMP_BLOCK_MAX_BLOCKS', 0, 1000, (v) => (config.tempBlockMaxBlocks = v));
  const sweep = raw('OFFCODE_TEMP_BLOCK_SWEEP_MS');
  if (sweep !== undefined) {
    const n = /^[0-9]+$/.test(sweep) ? Number(sweep) : Number.NaN;
    if (!(n === 0 || (n >= 1000 && n <= 3_600_000))) {
      fail('OFFCODE_TEMP_BLOCK_SWEEP_MS', 'must be 0 or an integer in 1000..3600000', sweep);
    } else config.tempBlockSweepMs = n;
  }

  int('OFFCODE_TOTP_DIGITS', 6, 8, (v) => (config.totpDigits = v));
  int('OFFCODE_PROXIMITY_MAX_STEP_COUNT', 0, 10, (v) => (config.proximityMaxStepCount = v));
  const compat = bool('OFFCODE_COMPAT_POWERAUTH', (v) => (config.compatPowerauth = v));
  if (compat && config.compatPowerauth) {
    // Profile: explicit variables below still win.
    config.payloadRegistry = 'off';
    config.compatCreateAnyStatus = true;
  }
  oneOf(
    'OFFCODE_PAYLOAD_REGISTRY',
    ['off', 'record', 'enforce'] as const,
    (v) => (config.payloadRegistry = v),
  );
  int('OFFCODE_PAYLOAD_TTL_S', 10, 86_400, (v) => (config.payloadTtlS = v));
  int('OFFCODE_PAYLOAD_RETENTION_S', 0, 2_592_000, (v) => (config.payloadRetentionS = v));
  int('OFFCODE_MAX_DATA_BYTES', 256, 2786, (v) => (config.maxDataBytes = v));
  int('OFFCODE_BODY_LIMIT_BYTES', 1024, 1_048_576, (v) => (config.bodyLimitBytes = v));

  const credentials = raw('OFFCODE_INTEGRATION_CREDENTIALS');
  if (credentials !== undefined && credentials !== '') {
    credentials.split(',').forEach((pair, index) => {
      const colon = pair.indexOf(':');
      const token = colon > 0 ? pair.slice(0, colon) : '';
      const secret = colon > 0 ? pair.slice(colon + 1) : '';
      if (token === '' || secret === '' || /\s/.test(token)) {
        errors.push(
          `config: OFFCODE_INTEGRATION_CREDENTIALS item ${index + 1} must be token:secret with a non-empty token and secret, got a value that is not shown`,
        );
      } else config.integrationCredentials.push({ token, secret });
    });
  }

  bool('OFFCODE_COMPAT_CREATE_ANY_STATUS', (v) => (config.compatCreateAnyStatus = v));
  oneOf(
    'OFFCODE_COMPAT_UNKNOWN_ACTIVATION',
    ['removed', 'error'] as const,
    (v) => (config.compatUnknownActivation = v),
  );
  oneOf('OFFCODE_CRYPTO_BACKEND', ['auto', 'wasm', 'noble'] as const, (v) => (config.cryptoBackend = v));
  bool('OFFCODE_METRICS_ENABLED', (v) => (config.metricsEnabled = v));
  bool('OFFCODE_DEMO_ENABLED', (v) => (config.demoEnabled = v));
  const demoApp = raw('OFFCODE_DEMO_APPLICATION');
  if (demoApp !== undefined) {
    if (!isValidName(demoApp))
      fail('OFFCODE_DEMO_APPLICATION', 'must be 1..255 characters without control characters', demoApp);
    else config.demoApplication = demoApp;
  }
  const environment = raw('OFFCODE_ENVIRONMENT');
  if (environment !== undefined) {
    if (environment.length > 255 || hasControlCharacter(environment)) {
      fail('OFFCODE_ENVIRONMENT', 'must be at most 255 characters without control characters', environment);
    } else config.environment = environment;
  }
  oneOf('OFFCODE_LOG_LEVEL', LOG_LEVELS, (v) => (config.logLevel = v));
  bool('OFFCODE_ALLOW_PLAINTEXT_KEYS', (v) => (config.allowPlaintextKeys = v));
  bool('OFFCODE_ALLOW_BIDI_CONTROLS', (v) => (config.allowBidiControls = v));

  if (config.masterKey === null && !isLoopbackHost(config.host) && !config.allowPlaintextKeys) {
    // Anyone who can reach the address could then read the private keys from a copy of the database.
    errors.push(
      `config: OFFCODE_MASTER_KEY must be set when OFFCODE_HOST is not a loopback address (keys would be stored in plaintext), got host "${config.host}"; set OFFCODE_ALLOW_PLAINTEXT_KEYS=true to accept that`,
    );
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

/** Like loadConfig, but throws one Error listing every problem (for programmatic use and tests). */
export function loadConfigOrThrow(env: ConfigInput = process.env): OffcodeConfig {
  const { config, errors } = loadConfig(env);
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return config;
}
