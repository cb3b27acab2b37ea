/**
 * Is the writer of a lock (or takeover marker) gone for good?
 *
 * - On this host: the pid no longer exists (`kill(pid, 0)` → ESRCH), or — Linux — it is a zombie, or the
 *   recorded identity (boot id + start time) does not match the process that has that pid now. A live holder
 *   on this host is never stale, however old its lock. Our own pid: gone unless the nonce is one this process
 *   holds or is acquiring (a previous process with our pid, e.g. pid 1 of a restarted container, left it).
 * - Another host, or a line that does not parse: its pids mean nothing here, so the lock is gone when its
 *   modification time is older than `staleMs` (live holders refresh it, see lock.ts).
 */
import { promises as fs, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type LockContent, safeHostname } from './content.js';
import { errnoOf } from './errors.js';

const HELD = Symbol.for('@offcode/lockfile/held-nonces');
type WithRegistry = typeof globalThis & { [HELD]?: Set<string> };

/**
 * Nonces this process holds or is acquiring right now. On globalThis so that two copies of the package in
 * one process (ESM and CJS builds, two versions) still recognise each other's locks.
 */
export function heldNonces(): Set<string> {
  const g = globalThis as WithRegistry;
  g[HELD] ??= new Set<string>();
  return g[HELD];
}

export const thisHost = (): string => safeHostname(hostname());

let bootIdCache: string | null | undefined;
function bootId(): string | null {
  if (bootIdCache !== undefined) return bootIdCache;
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    bootIdCache = /^[0-9a-f-]{1,64}$/.test(id) ? id : null;
  } catch {
    bootIdCache = null;
  }
  return bootIdCache;
}

interface ProcStat {
  state: string;
  startTicks: string;
}

/** Fields 3 (state) and 22 (start time) of /proc/<pid>/stat; the command name may contain spaces and ')'. */
async function procStat(pid: number): Promise<ProcStat | null> {
  if (process.platform !== 'linux') return null;
  try {
    const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    const startTicks = rest[19];
    if (!state || !startTicks || !/^[0-9]+$/.test(startTicks)) return null;
    return { state, startTicks };
  } catch {
    return null;
  }
}

let ownIdentity: Promise<string | null> | undefined;
/** `linux:<boot id>:<start ticks>` of this process, or null off Linux (or where /proc is hidden). */
export function processIdentity(): Promise<string | null> {
  ownIdentity ??= procStat(process.pid).then((s) => {
    const boot = bootId();
    return s && boot ? `linux:${boot}:${s.startTicks}` : null;
  });
  return ownIdentity;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return errnoOf(e) !== 'ESRCH';
  }
}

async function localWriterGone(c: LockContent): Promise<boolean> {
  if (c.pid === process.pid) return !heldNonces().has(c.nonce);
  const [, recordedBoot, recordedStart] = c.identity?.split(':') ?? [];
  const boot = bootId();
  if (recordedBoot && boot && recordedBoot !== boot) return true; // written before the last reboot
  if (!pidExists(c.pid)) return true;
  const stat = await procStat(c.pid);
  if (stat === null) return false;
  if (stat.state === 'Z' || stat.state === 'X') return true; // killed, not yet reaped by its parent
  return recordedStart !== undefined && recordedStart !== stat.startTicks; // the pid was reused
}

/** True only when the writer can no longer be holding what it wrote (see the module comment). */
export async function writerGone(
  content: LockContent | null,
  mtimeMs: number,
  staleMs: number,
  now = Date.now(),
): Promise<boolean> {
  if (content !== null && content.hostname === thisHost()) return localWriterGone(content);
  return now - mtimeMs > staleMs;
}
