/**
 * The lock file's one line: `<pid> <nonce> <iso time> <hostname>[ <identity>]\n`.
 *
 * The nonce (128 random bits) makes every lock file's content unique, so the content itself names one
 * generation of the lock; takeover markers and release are keyed by a digest of it. The digest (not the
 * nonce alone) also gives a key to a lock that does not parse (foreign, truncated or empty).
 * `identity` is optional and Linux only: `linux:<boot id>:<process start time in clock ticks>`, which tells
 * a dead holder from an unrelated process that later got the same pid (after a reboot or a container restart).
 */
import { createHash } from 'node:crypto';
import type { LockHolder } from './errors.js';

export interface LockContent extends LockHolder {
  nonce: string;
  /** `linux:<boot id>:<start ticks>`, or null when the writer could not tell. */
  identity: string | null;
}

const PID = /^[1-9][0-9]{0,9}$/;
const NONCE = /^[0-9a-f]{32}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HOST = /^[\x21-\x7e]{1,255}$/;
const IDENTITY = /^linux:[0-9a-f-]{1,64}:[0-9]{1,20}$/;

/** Host names have no spaces; anything outside printable ASCII is replaced so the line stays parseable. */
export const safeHostname = (name: string): string => name.replace(/[^\x21-\x7e]/g, '_').slice(0, 255) || '_';

export function formatLockContent(c: LockContent): string {
  const fields = [String(c.pid), c.nonce, c.acquiredAt, safeHostname(c.hostname)];
  if (c.identity !== null) fields.push(c.identity);
  return `${fields.join(' ')}\n`;
}

/** The parsed line, or null for anything that is not exactly one well-formed line (torn, foreign, empty). */
export function parseLockContent(text: string): LockContent | null {
  if (!text.endsWith('\n')) return null;
  const fields = text.slice(0, -1).split(' ');
  if (fields.length !== 4 && fields.length !== 5) return null;
  const [pid, nonce, acquiredAt, hostname, identity] = fields as [string, string, string, string, string?];
  if (!PID.test(pid) || !NONCE.test(nonce) || !ISO.test(acquiredAt) || !HOST.test(hostname)) return null;
  if (Number.isNaN(Date.parse(acquiredAt))) return null;
  if (identity !== undefined && !IDENTITY.test(identity)) return null;
  return { pid: Number(pid), nonce, acquiredAt, hostname, identity: identity ?? null };
}

/** Names one lock generation (see the module comment); safe as a file-name part. */
export const contentKey = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
