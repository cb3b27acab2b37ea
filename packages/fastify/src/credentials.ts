/**
 * Optional HTTP Basic integration credentials (server.md §1.5). Token and secret are both compared as
 * SHA-256 digests with a constant-time compare, against every configured pair without an early exit, so the
 * time taken does not reveal which pair (or which part) was close.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** One configured pair: the HTTP Basic user name (token) and password (secret). */
export interface IntegrationCredential {
  token: string;
  secret: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export interface CredentialChecker {
  readonly enabled: boolean;
  /** True when the `Authorization` header carries one of the configured pairs. */
  check(authorization: string | undefined): boolean;
}

/** Parses `Basic base64(token:secret)`; null when malformed. */
export function parseBasic(header: string | undefined): { token: string; secret: string } | null {
  if (header === undefined) return null;
  const m = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { token: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

export function createCredentialChecker(pairs: readonly IntegrationCredential[]): CredentialChecker {
  const expected = pairs.map((p) => ({ token: digest(p.token), secret: digest(p.secret) }));
  return {
    enabled: expected.length > 0,
    check(authorization) {
      if (expected.length === 0) return true;
      const presented = parseBasic(authorization);
      // A missing or malformed header is still compared (against empty strings) to keep the timing flat.
      const token = digest(presented?.token ?? '');
      const secret = digest(presented?.secret ?? '');
      let ok = false;
      for (const e of expected) {
        const tokenOk = timingSafeEqual(token, e.token);
        const secretOk = timingSafeEqual(secret, e.secret);
        ok = ok || (tokenOk && secretOk);
      }
      return ok && presented !== null;
    },
  };
}
