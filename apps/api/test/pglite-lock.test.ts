/**
 * One process per embedded PGlite directory (server.md §5.4), seen as an operator sees it: a second
 * `offcode-api` on the data directory of a running one exits non-zero with one line naming the directory
 * and the owner; after kill -9 of the owner, a restart on the same directory takes the stale lock over and
 * finds the data the killed process committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ok, runMain, spawnApi } from './harness.js';

const root = mkdtempSync(join(tmpdir(), 'offcode-api-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const listApplications = async (url: string): Promise<string[]> => {
  const answer = await ok(url, '/rest/v3/application/list');
  return (answer.applications as { applicationId: string }[]).map((a) => a.applicationId);
};

describe('one offcode-api process per PGlite data directory', () => {
  it('a second process on a held directory exits non-zero with one line; kill -9 + restart recovers the data', async () => {
    const dataDir = join(root, 'pgdata');
    const first = await spawnApi({ OFFCODE_DATA_DIR: dataDir, OFFCODE_LOG_LEVEL: 'warn' });
    let firstAlive = true;
    try {
      await ok(first.url, '/rest/v3/application/create', { applicationId: 'lock-test-app' });

      const second = await runMain({
        OFFCODE_PORT: '0',
        OFFCODE_HOST: '127.0.0.1',
        OFFCODE_DATA_DIR: dataDir,
        OFFCODE_LOG_LEVEL: 'warn',
      });
      expect(second.code).not.toBe(0);
      expect(second.code).not.toBeNull();
      const lines = second.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^offcode-api: cannot start: PGlite data directory .* is in use by /);
      expect(lines[0]).toContain(String(first.child.pid));
      expect(second.stdout).not.toMatch(/Offcode API: http/);

      // The holder is unaffected by the refused opener.
      expect(await listApplications(first.url)).toContain('lock-test-app');

      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      firstAlive = false;

      const restarted = await spawnApi({ OFFCODE_DATA_DIR: dataDir, OFFCODE_LOG_LEVEL: 'warn' });
      try {
        expect(await listApplications(restarted.url)).toContain('lock-test-app');
        // And the restarted process now holds the directory itself.
        const third = await runMain({
          OFFCODE_PORT: '0',
          OFFCODE_HOST: '127.0.0.1',
          OFFCODE_DATA_DIR: dataDir,
          OFFCODE_LOG_LEVEL: 'warn',
        });
        expect(third.code).not.toBe(0);
        expect(third.stderr).toContain(String(restarted.child.pid));
      } finally {
        await restarted.stop();
      }
    } finally {
      if (firstAlive) await first.stop();
    }
  });
});
