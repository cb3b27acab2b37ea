/**
 * The test vectors for the client and CLI suites. Project-made files come from test-vectors/ at the workspace
 * root; the files published by the PowerAuth project are never copied into the repository and come, with their
 * regression twins, from `vectorSources` (../shared/vectors or $OFFCODE_SHARED_VECTORS; scripts/vector-paths.mjs).
 * Node built-ins only: safe in the client's Hermes stand-in run.
 */
import { REPO_VECTORS_DIR, readRepoVector } from '../../../scripts/vector-paths.mjs';

export { type TotpRow, type VectorSource, vectorSources } from '../../../scripts/vector-paths.mjs';

/** Absolute path of the workspace's test-vectors/ (project-made files and regression/). */
export const VECTORS_DIR = REPO_VECTORS_DIR;

/** Parses one project-made JSON file of test-vectors/ (`path` relative to it). */
export function readVector<T = unknown>(path: string): T {
  return JSON.parse(readRepoVector(path)) as T;
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
