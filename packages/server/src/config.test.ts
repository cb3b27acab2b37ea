import { describe, expect, it } from 'vitest';
import { defaultConfig, isLoopbackHost, loadConfig, loadConfigOrThrow } from './config.js';

const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment, with the plaintext warning', () => {
    const { config, errors, warnings } = loadConfig({});
    expect(errors).toEqual([]);
    expect(config).toEqual(defaultConfig());
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
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
      // Secure defaults (server.md §4, §6.9-10): the demo is asked for, plaintext keys and bidi controls refused.
      demoEnabled: false,
      allowPlaintextKeys: false,
      allowBidiControls: false,
    });
    expect(warnings.some((w) => w.includes('OFFCODE_MASTER_KEY is not set'))).toBe(true);
  });

  it('parses every variable of a complete valid environment', () => {
    const { config, errors, warnings } = loadConfig({
      OFFCODE_PORT: '0',
      OFFCODE_HOST: '0.0.0.0',
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
      OFFCODE_BODY_LIMIT_BYTES: '1024',
      OFFCODE_INTEGRATION_CREDENTIALS: 'a:b,c:d:e',
      OFFCODE_COMPAT_CREATE_ANY_STATUS: 'true',
      OFFCODE_COMPAT_UNKNOWN_ACTIVATION: 'error',
      OFFCODE_CRYPTO_BACKEND: 'noble',
      OFFCODE_METRICS_ENABLED: 'false',
      OFFCODE_DEMO_ENABLED: 'false',
      OFFCODE_DEMO_APPLICATION: 'bank-demo',
      OFFCODE_ENVIRONMENT: 'test',
      OFFCODE_LOG_LEVEL: 'debug',
      OFFCODE_ALLOW_PLAINTEXT_KEYS: 'false',
      OFFCODE_ALLOW_BIDI_CONTROLS: 'true',
    });
    expect(errors).toEqual([]);
    expect(config.allowBidiControls).toBe(true);
    expect(warnings).toEqual([]);
    expect(config.port).toBe(0);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/offcode');
    expect(config.masterKey).toHaveLength(32);
    expect(config.masterKeyPrevious).toHaveLength(2);
    expect(config.protocolVersions).toEqual([4]);
    expect(config.tempBlockMultiplier).toBe(1.5);
    expect(config.integrationCredentials).toEqual([
      { token: 'a', secret: 'b' },
      { token: 'c', secret: 'd:e' },
    ]);
    expect(config.payloadRegistry).toBe('record');
    expect(config.cryptoBackend).toBe('noble');
    expect(config.logLevel).toBe('debug');
  });

  it('collects every problem, one line each, in the documented format', () => {
    const { errors } = loadConfig({
      OFFCODE_LOOKAHEAD: '100',
      OFFCODE_COMPONENT_LENGTH: '3',
      OFFCODE_TEMP_BLOCK_ENABLED: 'yes',
      OFFCODE_PAYLOAD_REGISTRY: 'strict',
      OFFCODE_PORT: '-1',
      OFFCODE_MAX_DATA_BYTES: '12.5',
    });
    expect(errors).toContain('config: OFFCODE_LOOKAHEAD must be an integer in 1..64, got "100"');
    expect(errors).toContain('config: OFFCODE_COMPONENT_LENGTH must be an integer in 4..8, got "3"');
    expect(errors).toContain('config: OFFCODE_TEMP_BLOCK_ENABLED must be true or false, got "yes"');
    expect(errors).toContain(
      'config: OFFCODE_PAYLOAD_REGISTRY must be one of off|record|enforce, got "strict"',
    );
    expect(errors).toContain('config: OFFCODE_PORT must be an integer in 0..65535, got "-1"');
    expect(errors).toContain('config: OFFCODE_MAX_DATA_BYTES must be an integer in 256..2786, got "12.5"');
    expect(errors).toHaveLength(6);
    expect(() => loadConfigOrThrow({ OFFCODE_LOOKAHEAD: '0' })).toThrow(/OFFCODE_LOOKAHEAD/);
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
    ['OFFCODE_BODY_LIMIT_BYTES', '1023'],
    ['OFFCODE_PROTOCOL_VERSIONS', '2,3'],
    ['OFFCODE_CRYPTO_BACKEND', 'fast'],
    ['OFFCODE_COMPAT_UNKNOWN_ACTIVATION', 'ignore'],
    ['OFFCODE_LOG_LEVEL', 'verbose'],
    ['OFFCODE_DEMO_APPLICATION', ''],
    ['OFFCODE_LOOKAHEAD', ' 20'],
    ['OFFCODE_LOOKAHEAD', '2e1'],
    ['OFFCODE_ALLOW_PLAINTEXT_KEYS', 'yes'],
    ['OFFCODE_ALLOW_BIDI_CONTROLS', '1'],
    ['OFFCODE_DEMO_ENABLED', 'on'],
  ])('refuses %s=%j naming the variable', (name, value) => {
    const { errors } = loadConfig({ [name]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^config: ${name} `));
  });

  it('never echoes secrets (master key, credentials, database URL)', () => {
    const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=';
    const { errors } = loadConfig({
      OFFCODE_MASTER_KEY: secret,
      OFFCODE_INTEGRATION_CREDENTIALS: 'no-colon-here',
      DATABASE_URL: 'mysql://root:hunter2@db',
    });
    expect(errors).toHaveLength(3);
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

  it('uses PORT as fallback for OFFCODE_PORT', () => {
    expect(loadConfig({ PORT: '9000' }).config.port).toBe(9000);
    expect(loadConfig({ PORT: '9000', OFFCODE_PORT: '9001' }).config.port).toBe(9001);
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

  it('plaintext keys on a non-loopback host: one error line unless OFFCODE_ALLOW_PLAINTEXT_KEYS=true', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '10.1.2.3',
      'api.bank.example',
      '[2001:db8::1]',
      '127.0.0.1.nip.io',
    ]) {
      const { errors } = loadConfig({ OFFCODE_HOST: host });
      expect(errors, host).toEqual([
        `config: OFFCODE_MASTER_KEY must be set when OFFCODE_HOST is not a loopback address (keys would be stored in plaintext), got host "${host}"; set OFFCODE_ALLOW_PLAINTEXT_KEYS=true to accept that`,
      ]);
      const optIn = loadConfig({ OFFCODE_HOST: host, OFFCODE_ALLOW_PLAINTEXT_KEYS: 'true' });
      expect(optIn.errors, host).toEqual([]);
      expect(optIn.config.allowPlaintextKeys).toBe(true);
      expect(optIn.warnings.some((w) => w.includes('PLAINTEXT'))).toBe(true);
      expect(loadConfig({ OFFCODE_HOST: host, OFFCODE_MASTER_KEY: KEY }).errors, host).toEqual([]);
    }
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]']) {
      expect(loadConfig({ OFFCODE_HOST: host }).errors, host).toEqual([]);
      expect(isLoopbackHost(host)).toBe(true);
    }
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
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
