/**
 * Test fixtures. Project-made vectors come from test-vectors/; the files published by the PowerAuth project
 * from ../shared/vectors (never copied into the repository) together with their regression twins, through
 * `vectorSources` (scripts/vector-paths.mjs).
 */
import { REPO_VECTORS_DIR, readRepoVector } from '../../../scripts/vector-paths.mjs';

export { type TotpRow, type VectorSource, vectorSources } from '../../../scripts/vector-paths.mjs';

export const VECTORS_DIR = REPO_VECTORS_DIR;

/** Text of a project-made file of test-vectors/ (`path` relative to it). */
export function readVector(path: string): string {
  return readRepoVector(path);
}

export function readJsonVector<T = unknown>(path: string): T {
  return JSON.parse(readVector(path)) as T;
}

export function hex(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new Error('odd hex');
  return Uint8Array.from(s.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function b64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Both EC implementations when node:crypto exists (it always does under vitest on Node). */
export const IMPLS = ['node', 'noble'] as const;

/** Values of the worked examples in crypto.md sections 13 and 14. */
export const EXAMPLE = {
  operationId: '5ff1b1ed-a3cc-45a3-8ab0-ed60950312b6',
  title: 'Payment',
  message: 'Please confirm this payment',
  operationData: 'A1*A100CZK*ICZ2730300000001165254011*D20180425',
  flags: 'B',
  v3: {
    devicePrivateKey: 'APl59736fwYwx+U+2/vVAPEF0N0Mdyt9ARRXWLPO7KxP',
    serverPublicKey:
      'BP0G8/tV/kDLDaGCQmoeaOAabLQXjYF/6lgqVpUI3cS6FTTtIzPzOY137vyZFSthKorKvq0iih1PLUeeEFUkAGE=',
    serverPrivateKey: 'AL0qVUrBte9i+xm0TQBkPT9XAxEiQae3tMwMUMEUGlYc',
    nonce: 'AD8bOO0Df73kNaIGb3Vmpg==',
    counter: 'V4uAF/PstuQoGNnNTifHuw==',
  },
  v4: {
    clientPrivateKey: 'FgpZz0XYkVrJPdZ2t44DY91i059v7tIw8E/E5VzQ/29FnenlLDkxNRMkkf8APsrK',
    serverPublicKey:
      'BMIQSVp+Uz2/htKuE5CyRsDPiMXXkT67JNvIS4vCeoHjtMGETXjCRRgO5KZplZhzEWwdIzEKJlrjg5plGae7/ZGAvIQClO9Pvx+mjI8mDxL8SS7b98gn3gzuEBoX6KKsXw==',
    counter: 'gm3Ku2m87l4SgiYDUZEzOw538VgUXWgynwdrwxZ4nsc=',
    nonce: 'oKGio6SlpqeoqaqrrK2urw==',
    totpSeedHex: '2edc44d1fd1158dc77872ec84a350f58',
    now: 1760000000,
    masterPrivateHex:
      '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30',
    masterPublic:
      'BMdvIoPdqVzUmw7Z5zPSkER043IW8SThPSyatM8BAhxJrZyrs9C5dJmu8vCrMT+gKCa8H4NFG1yJYqdcr/c1iNRACmKWQ2FU+zQ8OT6RBIpse8utyDzYpfJv6uiDFW+SoQ==',
  },
} as const;
