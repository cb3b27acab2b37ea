import { describe, expect, it } from 'vitest';
import { cliActivateLine, cliCommand, shellWord } from './cli-line.js';

describe('the start banner CLI line', () => {
  it('quotes only words that need it, so the shell gives back the same word', () => {
    expect(shellWord('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(shellWord("/tmp/a b/it's")).toBe(`'/tmp/a b/it'\\''s'`);
  });

  it('runs the workspace CLI by its absolute path, or `offcode` when it is not installed', () => {
    expect(cliCommand()).toMatch(/^node \/.*\/bin\/offcode\.js$/);
    expect(
      cliCommand(() => {
        throw new Error('not found');
      }),
    ).toBe('offcode');
  });

  it('has no PIN and no state file on it (prompt, per-user data directory)', () => {
    const line = cliActivateLine({
      url: 'http://127.0.0.1:8080',
      application: 'offcode-demo',
      activationCode: 'AAAAA-AAAAA-AAAAA-AAAAA',
    });
    expect(line).toMatch(
      /token activate --server http:\/\/127\.0\.0\.1:8080 --application offcode-demo --code AAAAA-AAAAA-AAAAA-AAAAA --protocol 4$/,
    );
    expect(line).not.toMatch(/--pin|--state/);
  });

  it('with the PowerAuth values: the V3 PowerAuth form (what an SDK app has compiled in), still no PIN or state', () => {
    const line = cliActivateLine({
      url: 'http://127.0.0.1:8080',
      application: 'offcode-demo',
      activationCode: 'AAAAA-AAAAA-AAAAA-AAAAA',
      applicationKey: 'a2V5a2V5a2V5a2V5a2V5aw==',
      applicationSecret: 'c2VjcmV0c2VjcmV0c2VjcmV0',
      masterPublicKey: 'BKzq+/Vn0t5f4h3lQ7yQe2cW8mV0kX1a==',
    });
    expect(line).toMatch(
      /token activate --server http:\/\/127\.0\.0\.1:8080 --code AAAAA-AAAAA-AAAAA-AAAAA --app-key a2V5a2V5a2V5a2V5a2V5aw== --app-secret c2VjcmV0c2VjcmV0c2VjcmV0 --master-key BKzq\+\/Vn0t5f4h3lQ7yQe2cW8mV0kX1a== --application offcode-demo$/,
    );
    expect(line).not.toMatch(/--pin|--state|--protocol/);
  });
});
