import { ConfigError } from '@offcode/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { API_SETTINGS, isLoopbackHost, loadApiSettings, loadApiSettingsOrThrow } from './settings.js';

const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

describe('the application settings', () => {
  it('defaults: 127.0.0.1:8080, 64 KiB bodies, no credentials, metrics on, demo off, info logs', () => {
    const { config, errors } = loadApiSettings({});
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      bodyLimitBytes: 65_536,
      integrationCredentials: [],
      metricsEnabled: true,
      demoEnabled: false,
      demoApplication: 'offcode-demo',
      logLevel: 'info',
      allowPlaintextKeys: false,
      // and the server's own configuration beside them
      lookahead: 20,
      masterKey: null,
    });
  });

  it('parses every application setting of a complete valid environment', () => {
    const { config, errors, warnings } = loadApiSettings({
      OFFCODE_PORT: '0',
      OFFCODE_HOST: '0.0.0.0',
      OFFCODE_MASTER_KEY: KEY,
      OFFCODE_BODY_LIMIT_BYTES: '1024',
      OFFCODE_INTEGRATION_CREDENTIALS: 'a:b,c:d:e',
      OFFCODE_METRICS_ENABLED: 'false',
      OFFCODE_DEMO_ENABLED: 'true',
      OFFCODE_DEMO_APPLICATION: 'bank-demo',
      OFFCODE_LOG_LEVEL: 'debug',
      OFFCODE_ALLOW_PLAINTEXT_KEYS: 'false',
    });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      bodyLimitBytes: 1024,
      integrationCredentials: [
        { token: 'a', secret: 'b' },
        { token: 'c', secret: 'd:e' },
      ],
      metricsEnabled: false,
      demoEnabled: true,
      demoApplication: 'bank-demo',
      logLevel: 'debug',
    });
    expect(config.masterKey).toHaveLength(32);
  });

  it.each([
    ['OFFCODE_PORT', '-1'],
    ['OFFCODE_PORT', '65536'],
    ['OFFCODE_HOST', 'a b'],
    ['OFFCODE_BODY_LIMIT_BYTES', '1023'],
    ['OFFCODE_LOG_LEVEL', 'verbose'],
    ['OFFCODE_DEMO_APPLICATION', ''],
    ['OFFCODE_ALLOW_PLAINTEXT_KEYS', 'yes'],
    ['OFFCODE_DEMO_ENABLED', 'on'],
    ['OFFCODE_METRICS_ENABLED', '0'],
  ])('refuses %s=%j in one line naming the variable', (name, value) => {
    const { errors } = loadApiSettings({ [name]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^config: ${name} `));
  });

  it('credentials: every bad item is its own line, never shown', () => {
    const { errors } = loadApiSettings({ OFFCODE_INTEGRATION_CREDENTIALS: 'ok:fine,no-colon-here,:x, t:y' });
    expect(errors).toEqual(
      [2, 3, 4].map(
        (i) =>
          `config: OFFCODE_INTEGRATION_CREDENTIALS item ${i} must be token:secret with a non-empty token and secret, got a value that is not shown`,
      ),
    );
    expect(loadApiSettings({ OFFCODE_INTEGRATION_CREDENTIALS: '' }).config.integrationCredentials).toEqual(
      [],
    );
  });

  it('uses PORT as fallback for OFFCODE_PORT', () => {
    expect(loadApiSettings({ PORT: '9000' }).config.port).toBe(9000);
    expect(loadApiSettings({ PORT: '9000', OFFCODE_PORT: '9001' }).config.port).toBe(9001);
    expect(loadApiSettings({ PORT: 'x' }).errors).toEqual([
      'config: OFFCODE_PORT must be an integer in 0..65535, got "x"',
    ]);
  });

  it('unknown OFFCODE_* names warn once; names of the server, the application and the tools do not', () => {
    const { errors, warnings } = loadApiSettings({
      OFFCODE_PORT: '1',
      OFFCODE_LOOKAHEAD: '20',
      OFFCODE_DEBUG: '1',
      OFFCODE_LOOKAHED: '20',
      OFFCODE_MASTER_KEY: KEY,
    });
    expect(errors).toEqual([]);
    expect(warnings).toEqual(['config: unknown variable OFFCODE_LOOKAHED is ignored (typo?)']);
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
      expect(loadApiSettings({ OFFCODE_HOST: host }).errors, host).toEqual([
        `config: OFFCODE_MASTER_KEY must be set when OFFCODE_HOST is not a loopback address (keys would be stored in plaintext), got host "${host}"; set OFFCODE_ALLOW_PLAINTEXT_KEYS=true to accept that`,
      ]);
      const optIn = loadApiSettings({ OFFCODE_HOST: host, OFFCODE_ALLOW_PLAINTEXT_KEYS: 'true' });
      expect(optIn.errors, host).toEqual([]);
      expect(optIn.config.allowPlaintextKeys).toBe(true);
      expect(optIn.warnings.some((w) => w.includes('PLAINTEXT'))).toBe(true);
      expect(loadApiSettings({ OFFCODE_HOST: host, OFFCODE_MASTER_KEY: KEY }).errors, host).toEqual([]);
    }
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]']) {
      expect(loadApiSettings({ OFFCODE_HOST: host }).errors, host).toEqual([]);
      expect(isLoopbackHost(host)).toBe(true);
    }
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('property: never throws for any input; OrThrow throws only ConfigError with the same lines', () => {
    const names = [
      ...Object.values(API_SETTINGS).flatMap((d) => [d.name, ...d.aliases]),
      'OFFCODE_LOOKAHEAD',
    ];
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.constantFrom('true', 'false', '0', '0.0.0.0', 'a:b', KEY, ''),
      fc.integer(),
      fc.boolean(),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 8 }), (env) => {
        const { errors } = loadApiSettings(env);
        for (const line of errors) {
          expect(line).toMatch(/^config: \S+ /);
          expect(line).not.toMatch(/[\n\r]/);
        }
        try {
          loadApiSettingsOrThrow(env);
          expect(errors).toEqual([]);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).errors).toEqual(errors);
        }
      }),
      { numRuns: 300 },
    );
  });
});
