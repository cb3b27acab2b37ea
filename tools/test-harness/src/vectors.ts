/**
 * The repo's copy of the shared test vectors (test-vectors/ at the workspace root; tests read only this copy,
 * a fresh clone has no ../shared). Node built-ins only: safe in the client's Hermes stand-in run.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of /work/main/test-vectors (tools/test-harness/src → ../../../test-vectors). */
export const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test-vectors');

/** Parses one JSON file of the vectors directory (`path` relative to it). */
export function readVector<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, path), 'utf8')) as T;
}

/** One case of payload-cases.json (payload.md §8). */
export interface PayloadCase {
  id: string;
  kind: string;
  input: unknown;
  valid: boolean;
  reason?: string;
  expected?: unknown;
}

export function payloadCases(): PayloadCase[] {
  return readVector<{ cases: PayloadCase[] }>('payload-cases.json').cases;
}

/** The payload text of the case `id`; throws when there is no such case or its input is not a string. */
export function payloadCase(id: string): string {
  const c = payloadCases().find((x) => x.id === id);
  if (!c || typeof c.input !== 'string') throw new Error(`payload case ${id} not found`);
  return c.input;
}
