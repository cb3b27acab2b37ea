import { type ChildProcess, spawn } from 'node:child_process';
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
import { isOffcodeError } from '@offcode/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_DIR } from '../test/processes.js';
import { contentKey, safeHostname } from './content.js';
import { createExclusive } from './files.js';
import { acquireLock, LockfileError, type LockHolder, tryAcquireLock, withLock } from './index.js';

let dir: string;
let lock: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'offcode-lockfile-'));
  lock = join(dir, 'x.lock');
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const HOST = safeHostname(hostname());
const NONCE = 'ab'.repeat(16);
const line = (pid: number, host = HOST, extra = '') =>
  `${pid} ${NONCE} 2020-01-01T00:00:00.000Z ${host}${extra}\n`;

/** Writes a lock file as another process would have, optionally backdating its modification time. */
function writeLock(text: string, ageMs = 0, path = lock): void {
  writeFileSync(path, text);
  if (ageMs > 0) {
    const t = new Date(Date.now() - ageMs);
    utimesSync(path, t, t);
  }
}

/** A live process of this host that holds nothing. */
function liveProcess(): number {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(c);
  return c.pid!;
}

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

async function failure(p: Promise<unknown>): Promise<LockfileError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(LockfileError);
  return e as LockfileError;
}

const startTicks = (pid: number) => {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[19]!;
};
const BOOT_ID = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

describe('acquire and release', () => {
  it('creates the lock with its full line (mode 0600), leaves no temp file, release removes it', async () => {
    const h = await acquireLock(lock);
    expect(h.path).toBe(lock);
    expect(readFileSync(lock, 'utf8')).toMatch(
      new RegExp(
        `^${process.pid} [0-9a-f]{32} \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z ${HOST} linux:${BOOT_ID}:\\d+\\n$`,
      ),
    );
    expect(statSync(lock).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['x.lock']);
    await h.release();
    await h.release(); // idempotent
    expect(readdirSync(dir)).toEqual([]);
  });

  it('excludes a second holder in the same process until released; withLock releases after a throw', async () => {
    const h = await acquireLock(lock);
    const e = await failure(acquireLock(lock, { timeoutMs: 60, retryMs: 5 }));
    expect(e.code).toBe('LOCKED');
    expect(e.holder).toMatchObject({ pid: process.pid, hostname: HOST });
    expect(e.message).toBe(
      `${lock} is locked by process ${process.pid} on ${HOST} since ${e.holder!.acquiredAt}`,
    );
    expect(await tryAcquireLock(lock)).toBeNull();
    const waiting = withLock(lock, () => 'second', { retryMs: 5 });
    await h.release();
    expect(await waiting).toBe('second');
    await expect(withLock(lock, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lock)).toBe(false);
    const t = await tryAcquireLock(lock);
    expect(t).not.toBeNull();
    await t!.release();
  });

  it('errors are one class on @offcode/errors: INVALID_ARGUMENT (input) and IO (unavailable)', async () => {
    for (const bad of [
      acquireLock(''),
      acquireLock(lock, { timeoutMs: -1 }),
      acquireLock(lock, { retryMs: Number.NaN }),
      acquireLock(lock, { staleMs: 0 }),
      acquireLock(lock, { timeoutMs: Number.POSITIVE_INFINITY }),
    ]) {
      const e = await failure(bad);
      expect([e.code, e.kind]).toEqual(['INVALID_ARGUMENT', 'input']);
    }
    const e = await failure(acquireLock(join(dir, 'missing', 'y.lock')));
    expect([e.code, e.kind, (e.cause as NodeJS.ErrnoException).code]).toEqual([
      'IO',
      'unavailable',
      'ENOENT',
    ]);
    expect(isOffcodeError(e)).toBe(true);
  });

  it('release never removes a lock that is no longer ours', async () => {
    const h = await acquireLock(lock);
    const foreign = line(liveProcess());
    writeLock(foreign); // as if another process had taken it over
    await h.release();
    expect(readFileSync(lock, 'utf8')).toBe(foreign);
  });

  it('another copy of the package in this process respects our lock (shared registry)', async () => {
    const dist = (await import(join(PACKAGE_DIR, 'dist', 'index.js'))) as typeof import('./index.js');
    expect(dist.acquireLock).not.toBe(acquireLock);
    const h = await acquireLock(lock);
    expect(await dist.tryAcquireLock(lock)).toBeNull();
    await h.release();
  });
});

describe('staleness', () => {
  const taken = async (options: { staleMs?: number } = {}) => {
    const removed: (LockHolder | null)[] = [];
    const h = await acquireLock(lock, {
      timeoutMs: 200,
      retryMs: 5,
      ...options,
      onStaleLockRemoved: (x) => removed.push(x),
    });
    await h.release();
    return removed;
  };
  const refused = async (options: { staleMs?: number } = {}) => {
    const before = readFileSync(lock, 'utf8');
    const e = await failure(acquireLock(lock, { timeoutMs: 60, retryMs: 5, ...options }));
    expect(e.code).toBe('LOCKED');
    expect(readFileSync(lock, 'utf8')).toBe(before);
    return e;
  };

  it('a live holder on this host is never stale, however old its lock', async () => {
    const pid = liveProcess();
    writeLock(line(pid), 86_400_000);
    const e = await refused({ staleMs: 1000 });
    expect(e.holder).toEqual({ pid, hostname: HOST, acquiredAt: '2020-01-01T00:00:00.000Z' });
  });

  it('a holder of this host whose process is gone is stale at once', async () => {
    const pid = await deadPid();
    writeLock(line(pid));
    expect(await taken()).toEqual([{ pid, hostname: HOST, acquiredAt: '2020-01-01T00:00:00.000Z' }]);
  });

  it('a killed holder not yet reaped by its parent (zombie) is stale', async () => {
    // `sleep 0` exits first; its parent has exec'd `sleep 30`, which never reaps it.
    const sh = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(sh);
    const pid = Number(await new Promise<string>((r) => sh.stdout.once('data', (c: Buffer) => r(String(c)))));
    for (let i = 0; i < 200 && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    writeLock(line(pid));
    expect(await taken()).toHaveLength(1);
  });

  it('a pid now used by another process (start time or boot id differs) is stale; the same process is not', async () => {
    const pid = liveProcess();
    await new Promise((r) => setTimeout(r, 50));
    writeLock(line(pid, HOST, ` linux:${BOOT_ID}:${startTicks(pid)}`));
    await refused();
    writeLock(line(pid, HOST, ` linux:${BOOT_ID}:1`));
    expect(await taken()).toHaveLength(1);
    writeLock(line(pid, HOST, ` linux:00000000-0000-0000-0000-000000000000:${startTicks(pid)}`));
    expect(await taken()).toHaveLength(1);
  });

  it('our own pid with a nonce this process does not hold was left by an earlier process with our pid', async () => {
    writeLock(line(process.pid));
    expect(await taken()).toHaveLength(1);
  });

  it('another host: respected while fresh, stale once not refreshed for staleMs (never with Infinity)', async () => {
    writeLock(line(999_999, 'other-host'), 5_000);
    await refused({ staleMs: 60_000 });
    expect(await taken({ staleMs: 1_000 })).toEqual([
      { pid: 999_999, hostname: 'other-host', acquiredAt: '2020-01-01T00:00:00.000Z' },
    ]);
    writeLock(line(999_999, 'other-host'), 10 * 365 * 86_400_000);
    await refused({ staleMs: Number.POSITIVE_INFINITY });
  });

  it('an unreadable lock (empty, foreign) is judged by its age only', async () => {
    writeLock('', 1_000);
    await refused({ staleMs: 60_000 });
    expect(await taken({ staleMs: 500 })).toEqual([null]);
    writeLock('12345 2025-01-01T00:00:00.000Z\n', 120_000);
    expect(await taken()).toEqual([null]);
  });
});

describe('takeover markers', () => {
  it('a marker whose creator died is passed over (next level); all markers are removed', async () => {
    const stale = line(await deadPid());
    writeLock(stale);
    const key = contentKey(stale);
    writeLock(line(await deadPid()), 0, `${lock}.${key}.takeover`);
    const removed: unknown[] = [];
    const h = await acquireLock(lock, { timeoutMs: 200, onStaleLockRemoved: (x) => removed.push(x) });
    expect(removed).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(['x.lock']);
    await h.release();
  });

  it('a marker of a live taker makes everyone else wait; the stale lock is left to it', async () => {
    const stale = line(await deadPid());
    writeLock(stale);
    writeLock(line(liveProcess()), 0, `${lock}.${contentKey(stale)}.takeover`);
    const e = await failure(acquireLock(lock, { timeoutMs: 60, retryMs: 5 }));
    expect(e.code).toBe('LOCKED');
    expect(readFileSync(lock, 'utf8')).toBe(stale);
  });

  it('after a takeover, markers of other lock generations and old temp files are swept', async () => {
    writeLock(line(await deadPid()));
    const garbage = [`x.lock.${'1'.repeat(32)}.takeover`, `x.lock.${'2'.repeat(32)}.takeover.3`];
    for (const g of garbage) writeLock('', 0, join(dir, g));
    writeLock('', 120_000, join(dir, `x.lock.${'3'.repeat(16)}.tmp`));
    writeLock('', 0, join(dir, `x.lock.${'4'.repeat(16)}.tmp`)); // young: may be a live writer's
    writeLock('', 0, join(dir, 'unrelated.takeover'));
    const h = await acquireLock(lock, { timeoutMs: 200 });
    expect(readdirSync(dir).sort()).toEqual(['unrelated.takeover', 'x.lock', `x.lock.${'4'.repeat(16)}.tmp`]);
    await h.release();
  });
});

describe('refresh (heartbeat)', () => {
  it('a holder keeps its lock fresh every staleMs/3 and stops once the lock is not its own', async () => {
    const h = await acquireLock(lock, { staleMs: 300 });
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(lock, old, old);
    const deadline = Date.now() + 10_000;
    while (statSync(lock).mtimeMs < Date.now() - 60_000 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(statSync(lock).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    writeLock(line(999_999, 'other-host'), 3_600_000);
    await new Promise((r) => setTimeout(r, 400)); // several refresh periods
    expect(statSync(lock).mtimeMs).toBeLessThan(Date.now() - 60_000);
    await h.release();
    expect(existsSync(lock)).toBe(true);
  });
});

describe('createExclusive', () => {
  it.each([true, false])('creates once with the full content (hard link: %s)', async (useLink) => {
    const path = join(dir, `c-${useLink}`);
    expect(await createExclusive(path, 'one\n', useLink)).toBe(true);
    expect(await createExclusive(path, 'two\n', useLink)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('one\n');
    expect(readdirSync(dir)).toEqual([`c-${useLink}`]);
  });
});
