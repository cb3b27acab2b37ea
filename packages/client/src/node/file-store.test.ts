import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIST_DIR } from '../../test/helpers.js';
import { OffcodeClientError } from '../errors.js';
import { FileTokenStore } from './file-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'offcode-file-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A lock line as @offcode/lockfile writes it (client.md §2.2). */
const lockLine = (pid: number, host: string) =>
  `${pid} ${'0f'.repeat(16)} ${new Date().toISOString()} ${host}\n`;

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OffcodeClientError);
  return `${(e as OffcodeClientError).code}: ${(e as OffcodeClientError).message}`;
}

describe('FileTokenStore', () => {
  it('missing file reads as null; write is mode 0600 and leaves no temp file', async () => {
    const path = join(dir, 'alice.json');
    const s = new FileTokenStore(path);
    expect(await s.read()).toBeNull();
    await s.write('{"a":1}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['alice.json']);
    await s.write('{"a":2}\n');
    expect(await s.read()).toBe('{"a":2}\n');
    await s.remove();
    expect(existsSync(path)).toBe(false);
    await s.remove(); // idempotent
  });

  it('unreadable state and unwritable directories are STORAGE_FAILURE', async () => {
    expect(await code(new FileTokenStore(dir).read())).toMatch(/^STORAGE_FAILURE: state file cannot be read/);
    const s = new FileTokenStore(join(dir, 'missing-dir', 'x.json'));
    expect(await code(s.write('x'))).toMatch(/^STORAGE_FAILURE: state file cannot be written/);
    expect(await code(s.lock(async () => 1))).toMatch(/^STORAGE_FAILURE: state lock cannot be created/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('lock excludes concurrent sections and is released in finally', async () => {
    const path = join(dir, 'c.json');
    const a = new FileTokenStore(path, { lockRetryMs: 5 });
    const b = new FileTokenStore(path, { lockRetryMs: 5 });
    await a.write('0');
    const section = (s: FileTokenStore) =>
      s.lock(async () => {
        const v = Number(await s.read());
        await new Promise((r) => setTimeout(r, 10));
        await s.write(String(v + 1));
      });
    await Promise.all([section(a), section(b), section(a), section(b)]);
    expect(await a.read()).toBe('4');
    expect(existsSync(`${path}.lock`)).toBe(false);
    await expect(a.lock(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('gives up with "state file is locked" while another holder keeps the lock', async () => {
    const path = join(dir, 'l.json');
    writeFileSync(`${path}.lock`, '12345 2025-01-01T00:00:00.000Z\n');
    const s = new FileTokenStore(path, { lockRetryMs: 5, lockTimeoutMs: 60 });
    expect(await code(s.lock(async () => 1))).toBe('STORAGE_FAILURE: state file is locked');
    expect(existsSync(`${path}.lock`)).toBe(true); // not ours: left alone
  });

  it('removes a stale lock once and proceeds', async () => {
    const path = join(dir, 's.json');
    writeFileSync(`${path}.lock`, '12345 2000-01-01T00:00:00.000Z\n');
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${path}.lock`, old, old);
    const s = new FileTokenStore(path, { lockRetryMs: 5, lockTimeoutMs: 60 });
    let inside = '';
    await s.lock(async () => {
      inside = readFileSync(`${path}.lock`, 'utf8');
    });
    expect(inside).toMatch(new RegExp(`^${process.pid} [0-9a-f]{32} \\d{4}-`));
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('a process killed while writing leaves the old or the new state, never a torn one', async () => {
    const path = join(dir, 'k.json');
    const big = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(200_000) });
    await new FileTokenStore(path).write(big(0));
    const script = `
      import { FileTokenStore } from ${JSON.stringify(join(DIST_DIR, 'node.js'))};
      const s = new FileTokenStore(${JSON.stringify(path)});
      let n = 0;
      process.stdout.write('ready\\n');
      for (;;) { n++; await s.write(JSON.stringify({ n, pad: 'x'.repeat(200000) })); }
    `;
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((res) => child.stdout.once('data', () => res()));
      await new Promise((r) => setTimeout(r, 30 + round * 20));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const doc = JSON.parse(readFileSync(path, 'utf8'));
      expect(typeof doc.n).toBe('number');
      expect(doc.pad.length).toBe(200_000);
    }
  });
});

describe('FileTokenStore: lock left behind by a killed process', () => {
  it('is taken over at once when its holder (same host) no longer exists', async () => {
    const path = join(dir, 'dead.json');
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.once('exit', r));
    writeFileSync(`${path}.lock`, lockLine(pid, hostname()));
    const s = new FileTokenStore(path, { lockRetryMs: 5, lockTimeoutMs: 100 });
    expect(await s.lock(async () => 'taken')).toBe('taken');
  });

  it('is respected when the holder lives or belongs to another host', async () => {
    const path = join(dir, 'alive.json');
    writeFileSync(`${path}.lock`, lockLine(process.ppid, hostname()));
    const s = new FileTokenStore(path, { lockRetryMs: 5, lockTimeoutMs: 60 });
    expect(await code(s.lock(async () => 1))).toBe('STORAGE_FAILURE: state file is locked');
    writeFileSync(`${path}.lock`, lockLine(999999, 'some-other-host'));
    expect(await code(s.lock(async () => 1))).toBe('STORAGE_FAILURE: state file is locked');
  });
});

describe('FileTokenStore: real processes after a holder was killed with SIGKILL', () => {
  it('8 processes × 5 read-modify-write sections: every value used once, the counter advanced by 40', async () => {
    const path = join(dir, 'race.json');
    const log = join(dir, 'values.log');
    const go = join(dir, 'go');
    await new FileTokenStore(path).write('0');
    const node = JSON.stringify(join(DIST_DIR, 'node.js'));
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { FileTokenStore } from ${node};
         await new FileTokenStore(${JSON.stringify(path)}).lock(async () => {
           process.stdout.write('held\\n');
           await new Promise(() => setInterval(() => {}, 60000));
         });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((res) => holder.stdout.once('data', () => res()));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    expect(existsSync(`${path}.lock`)).toBe(true);

    const racer = `
      import { appendFileSync, existsSync } from 'node:fs';
      import { FileTokenStore } from ${node};
      const s = new FileTokenStore(${JSON.stringify(path)}, { lockRetryMs: 5, lockTimeoutMs: 120000 });
      process.stdout.write('ready\\n');
      while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 2));
      for (let i = 0; i < 5; i++) {
        await s.lock(async () => {
          const next = Number(await s.read()) + 1;
          await s.write(String(next));
          appendFileSync(${JSON.stringify(log)}, next + '\\n');
        });
      }`;
    const racers = Array.from({ length: 8 }, () =>
      spawn(process.execPath, ['--input-type=module', '-e', racer], { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    await Promise.all(racers.map((r) => new Promise<void>((res) => r.stdout.once('data', () => res()))));
    writeFileSync(go, '');
    const codes = await Promise.all(racers.map((r) => new Promise((res) => r.once('exit', res))));
    expect(codes).toEqual(racers.map(() => 0));
    const values = readFileSync(log, 'utf8').trim().split('\n').map(Number);
    expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await new FileTokenStore(path).read()).toBe('40');
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});

describe('FileTokenStore: options', () => {
  it('lock options must be non-negative numbers (staleLockMs > 0, Infinity allowed)', () => {
    for (const options of [
      { lockRetryMs: -1 },
      { lockTimeoutMs: Number.NaN },
      { lockTimeoutMs: Number.POSITIVE_INFINITY },
      { staleLockMs: 0 },
      { staleLockMs: '5' as unknown as number },
    ]) {
      expect(() => new FileTokenStore(join(dir, 'o.json'), options)).toThrow(OffcodeClientError);
    }
    expect(new FileTokenStore(join(dir, 'o.json'), { staleLockMs: Number.POSITIVE_INFINITY })).toBeTruthy();
  });
});
