import { isOffcodeError } from '@offcode/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig, loadConfigOrThrow } from './config.js';
import { settingNames } from './settings/declare.js';
import { SERVER_SETTINGS } from './settings/server-settings.js';

const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment, with the plaintext warning', () => {
    const { config, errors, warnings } = loadConfig({});
    expect(errors).toEqual([]);
    expect(config).toEqual(defaultConfig());
    expect(config).toMatchObject({
      databaseUrl: null,
      dataDir: './.offcode/pgdata',
      lookahead: 20,
      componentLength: 8,
      maxFailedAttempts: 5,
      payloadRegistry: 'enforce',
      payloadTtlS: 300,
      maxDataBytes: 2048,
      protocolVersions: [3, 4],
      compatUnknownActivation: 'removed',
      // Secure defaults (server.md §4): bidi controls refused.
      allowBidiControls: false,
    });
    expect(warnings.some((w) => w.includes('OFFCODE_MASTER_KEY is not set'))).toBe(true);
  });

  it('parses every variable of a complete valid environment', () => {
    const { config, errors, warnings } = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/offcode',
      OFFCODE_DATA_DIR: 'memory://',
      OFFCODE_DB_POOL_MAX: '100',
      OFFCODE_DB_LOCK_TIMEOUT_MS: '100',
      OFFCODE_AUTO_MIGRATE: 'false',
      OFFCODE_MASTER_KEY: KEY,
      OFFCODE_MASTER_KEY_PREVIOUS: `${KEY},${KEY}`,
      OFFCODE_PROTOCOL_VERSIONS: '4',
      OFFCODE_LOOKAHEAD: '64',
      OFFCODE_COMPONENT_LENGTH: '4',
      OFFCODE_MAX_FAILED_ATTEMPTS: '64',
      OFFCODE_ACTIVATION_EXPIRE_MS: '10000',
      OFFCODE_TEMP_BLOCK_ENABLED: 'true',
      OFFCODE_TEMP_BLOCK_PERIOD_MS: '1000',
      OFFCODE_TEMP_BLOCK_MULTIPLIER: '1.5',
      OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS: '5000',
      OFFCODE_TEMP_BLOCK_MAX_BLOCKS: '3',
      OFFCODE_TEMP_BLOCK_SWEEP_MS: '0',
      OFFCODE_TOTP_DIGITS: '6',
      OFFCODE_PROXIMITY_MAX_STEP_COUNT: '10',
      OFFCODE_PAYLOAD_REGISTRY: 'record',
      OFFCODE_PAYLOAD_TTL_S: '10',
      OFFCODE_PAYLOAD_RETENTION_S: '0',
      OFFCODE_MAX_DATA_BYTES: '2786',
      OFFCODE_COMPAT_CREATE_ANY_STATUS: 'true',
      OFFCODE_COMPAT_UNKNOWN_ACTIVATION: 'error',
      OFFCODE_CRYPTO_BACKEND: 'noble',
      OFFCODE_ENVIRONMENT: 'test',
      OFFCODE_ALLOW_BIDI_CONTROLS: 'true',
    });
    expect(errors).toEqual([]);
    expect(config.allowBidiControls).toBe(true);
    expect(warnings).toEqual([]);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/offcode');
    expect(config.masterKey).toHaveLength(32);
    expect(config.masterKeyPrevious).toHaveLength(2);
    expect(config.protocolVersions).toEqual([4]);
    expect(config.tempBlockMultiplier).toBe(1.5);
    expect(config.payloadRegistry).toBe('record');
    expect(config.cryptoBackend).toBe('noble');
    expect(config.environment).toBe('test');
  });

  it('collects every problem, one line each, in the documented format', () => {
    const { errors } = loadConfig({
      OFFCODE_LOOKAHEAD: '100',
      OFFCODE_COMPONENT_LENGTH: '3',
      OFFCODE_TEMP_BLOCK_ENABLED: 'yes',
      OFFCODE_PAYLOAD_REGISTRY: 'strict',
      OFFCODE_PAYLOAD_TTL_S: '-1',
      OFFCODE_MAX_DATA_BYTES: '12.5',
    });
    expect(errors).toContain('config: OFFCODE_LOOKAHEAD must be an integer in 1..64, got "100"');
    expect(errors).toContain('config: OFFCODE_COMPONENT_LENGTH must be an integer in 4..8, got "3"');
    expect(errors).toContain('config: OFFCODE_TEMP_BLOCK_ENABLED must be true or false, got "yes"');
    expect(errors).toContain(
      'config: OFFCODE_PAYLOAD_REGISTRY must be one of off|record|enforce, got "strict"',
    );
    expect(errors).toContain('config: OFFCODE_PAYLOAD_TTL_S must be an integer in 10..86400, got "-1"');
    expect(errors).toContain('config: OFFCODE_MAX_DATA_BYTES must be an integer in 256..2786, got "12.5"');
    expect(errors).toHaveLength(6);
    expect(() => loadConfigOrThrow({ OFFCODE_LOOKAHEAD: '0' })).toThrow(/OFFCODE_LOOKAHEAD/);
    const thrown = (() => {
      try {
        loadConfigOrThrow({ OFFCODE_LOOKAHEAD: '0', OFFCODE_TOTP_DIGITS: '5' });
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ kind: 'input', code: 'INVALID_CONFIG', field: 'OFFCODE_LOOKAHEAD' });
    expect((thrown as ConfigError).errors).toHaveLength(2);
  });

  it.each([
    ['OFFCODE_DB_POOL_MAX', '0'],
    ['OFFCODE_DB_POOL_MAX', '101'],
    ['OFFCODE_DB_LOCK_TIMEOUT_MS', '99'],
    ['OFFCODE_MAX_FAILED_ATTEMPTS', '65'],
    ['OFFCODE_ACTIVATION_EXPIRE_MS', '9999'],
    ['OFFCODE_TEMP_BLOCK_PERIOD_MS', '999'],
    ['OFFCODE_TEMP_BLOCK_MULTIPLIER', '0.5'],
    ['OFFCODE_TEMP_BLOCK_MULTIPLIER', '11'],
    ['OFFCODE_TEMP_BLOCK_MAX_BLOCKS', '1001'],
    ['OFFCODE_TEMP_BLOCK_SWEEP_MS', '999'],
    ['OFFCODE_TOTP_DIGITS', '9'],
    ['OFFCODE_PROXIMITY_MAX_STEP_COUNT', '11'],
    ['OFFCODE_PAYLOAD_TTL_S', '9'],
    ['OFFCODE_PAYLOAD_RETENTION_S', '2592001'],
    ['OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS', '31536000001'],
    ['OFFCODE_DATA_DIR', ''],
    ['OFFCODE_DATA_DIR', 'a\u0000b'],
    ['OFFCODE_ENVIRONMENT', 'x'.repeat(256)],
    ['OFFCODE_PROTOCOL_VERSIONS', ''],
    ['OFFCODE_PROTOCOL_VERSIONS', '3,'],
    ['OFFCODE_PROTOCOL_VERSIONS', '2,3'],
    ['OFFCODE_CRYPTO_BACKEND', 'fast'],
    ['OFFCODE_COMPAT_UNKNOWN_ACTIVATION', 'ignore'],
    ['OFFCODE_LOOKAHEAD', ' 20'],
    ['OFFCODE_LOOKAHEAD', '2e1'],
    ['OFFCODE_ALLOW_BIDI_CONTROLS', '1'],
    ['OFFCODE_AUTO_MIGRATE', 'on'],
  ])('refuses %s=%j naming the variable', (name, value) => {
    const { errors } = loadConfig({ [name]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^config: ${name} `));
  });

  it('never echoes secrets (master key, credentials, database URL)', () => {
    const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=';
    const { errors } = loadConfig({
      OFFCODE_MASTER_KEY: secret,
      OFFCODE_MASTER_KEY_PREVIOUS: `${KEY}, no-colon-here`,
      DATABASE_URL: 'mysql://root:hunter2@db',
    });
    expect(errors).toEqual([
      'config: DATABASE_URL must be a postgres:// or postgresql:// URL, got a value that is not shown',
      'config: OFFCODE_MASTER_KEY must be Base64 of exactly 32 bytes, got a value that is not shown',
      'config: OFFCODE_MASTER_KEY_PREVIOUS item 2 must be Base64 of exactly 32 bytes, got a value that is not shown',
    ]);
    for (const e of errors) {
      expect(e).not.toContain(secret);
      expect(e).not.toContain('hunter2');
      expect(e).not.toContain('no-colon-here');
      expect(e).toContain('a value that is not shown');
    }
  });

  it('needs the master key to be exactly 32 bytes of strict Base64', () => {
    expect(
      loadConfig({ OFFCODE_MASTER_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==' }).errors,
    ).toHaveLength(1);
    expect(loadConfig({ OFFCODE_MASTER_KEY: `${KEY} ` }).errors).toHaveLength(1);
    expect(loadConfig({ OFFCODE_MASTER_KEY: KEY.replace('=', '') }).errors).toHaveLength(1);
    expect(loadConfig({ OFFCODE_MASTER_KEY_PREVIOUS: KEY }).errors).toEqual([
      'config: OFFCODE_MASTER_KEY_PREVIOUS needs OFFCODE_MASTER_KEY, got a value that is not shown',
    ]);
  });

  it('warns about unknown OFFCODE_* names (typos) and ignores other variables', () => {
    const { errors, warnings } = loadConfig({
      OFFCODE_LOOKAHED: '20',
      HOME: '/root',
      OFFCODE_MASTER_KEY: KEY,
    });
    expect(errors).toEqual([]);
    expect(warnings).toEqual(['config: unknown variable OFFCODE_LOOKAHED is ignored (typo?)']);
  });

  it('does not report the names another layer declares (knownNames), only real typos', () => {
    const env = { OFFCODE_PORT: '8080', OFFCODE_PROT: '1', OFFCODE_MASTER_KEY: KEY };
    expect(loadConfig(env).warnings).toEqual([
      'config: unknown variable OFFCODE_PORT is ignored (typo?)',
      'config: unknown variable OFFCODE_PROT is ignored (typo?)',
    ]);
    expect(loadConfig(env, { knownNames: ['OFFCODE_PORT'] }).warnings).toEqual([
      'config: unknown variable OFFCODE_PROT is ignored (typo?)',
    ]);
    // The server reads no HTTP setting: the port is not part of its configuration.
    expect(Object.keys(loadConfig(env).config)).not.toContain('port');
  });

  it('the empty value of a key, key list or URL means unset; of a number it is an error', () => {
    const { config, errors } = loadConfig({
      OFFCODE_MASTER_KEY: '',
      OFFCODE_MASTER_KEY_PREVIOUS: '',
      DATABASE_URL: '',
      OFFCODE_LOOKAHEAD: '',
    });
    expect(config.masterKey).toBeNull();
    expect(config.databaseUrl).toBeNull();
    expect(errors).toEqual(['config: OFFCODE_LOOKAHEAD must be an integer in 1..64, got ""']);
  });

  it('property: any input gives one-line errors naming a declared setting, never a secret value; OrThrow throws only ConfigError', () => {
    const names = [...settingNames(SERVER_SETTINGS), 'OFFCODE_OTHER', 'HOME'];
    const secretNames = new Set(
      Object.values(SERVER_SETTINGS)
        .filter((d) => d.secret)
        .map((d) => d.name),
    );
    const value = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.constantFrom('true', 'false', '0', '3,4', KEY, `${KEY},${KEY}`, 'postgres://x', '1.5', ''),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    );
    const envs = fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 12 });
    fc.assert(
      fc.property(envs, (env) => {
        const { errors, warnings } = loadConfig(env);
        for (const line of [...errors, ...warnings]) {
          expect(line).not.toContain('\n');
          expect(line).toMatch(/^config: /);
        }
        for (const line of errors) {
          const named = /^config: (\S+) /.exec(line)?.[1];
          expect(names).toContain(named);
        }
        // A line about a secret setting never quotes it back.
        for (const line of errors) {
          const named = /^config: (\S+) /.exec(line)?.[1] ?? '';
          if (secretNames.has(named)) expect(line).toMatch(/, got a value that is not shown$/);
        }
        try {
          loadConfigOrThrow(env);
          expect(errors).toEqual([]);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect(isOffcodeError(error)).toBe(true);
          expect((error as ConfigError).errors).toEqual(errors);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('applies the PowerAuth compatibility profile, explicit variables still win', () => {
    const profile = loadConfig({ OFFCODE_COMPAT_POWERAUTH: 'true' }).config;
    expect(profile.payloadRegistry).toBe('off');
    expect(profile.compatCreateAnyStatus).toBe(true);
    const explicit = loadConfig({
      OFFCODE_COMPAT_POWERAUTH: 'true',
      OFFCODE_PAYLOAD_REGISTRY: 'enforce',
    }).config;
    expect(explicit.payloadRegistry).toBe('enforce');
  });

  it('checks the temporary block cap against the period', () => {
    expect(
      loadConfig({ OFFCODE_TEMP_BLOCK_PERIOD_MS: '600000', OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS: '300000' })
        .errors,
    ).toHaveLength(1);
    // Without an explicit cap, a long period raises the default cap instead of failing.
    expect(loadConfig({ OFFCODE_TEMP_BLOCK_PERIOD_MS: '86400000' }).errors).toEqual([]);
  });

  it('accepts typed values in an options object', () => {
    const { config, errors } = loadConfig({
      OFFCODE_LOOKAHEAD: 30,
      OFFCODE_TEMP_BLOCK_ENABLED: true,
      OFFCODE_MASTER_KEY: KEY,
    });
    expect(errors).toEqual([]);
    expect(config.lookahead).toBe(30);
    expect(config.tempBlockEnabled).toBe(true);
  });
});
