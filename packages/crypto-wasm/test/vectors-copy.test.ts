import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles, VECTORS_DIR } from './helpers.js';

// The repo carries byte-identical copies of ../shared/vectors so that a fresh clone tests on its own.
const SHARED = join(VECTORS_DIR, '..', '..', 'shared', 'vectors');

describe('test-vectors/', () => {
  it('holds every vector file the packages replay', () => {
    const files = listFiles(VECTORS_DIR).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'payload-cases.json',
        'v3/compute-derived-keys.json',
        'v3/compute-master-secret-key.json',
        'v3/signatures-offline.json',
        'v4/ECDHE_P384_Test_Vectors.json',
        'v4/Hash_Based_Counter_Test_Vectors.json',
        'v4/auth-code-v4.json',
        'v4/data.csv',
        'v4/kmac-kdf-kat.json',
      ]),
    );
  });

  it('is byte-identical to ../shared/vectors wherever that folder is present (CI has it)', () => {
    // A clone without ../shared beside it has nothing to compare against; the copies above still count.
    const shared = existsSync(SHARED) ? listFiles(SHARED) : [];
    for (const f of shared) {
      expect(readFileSync(join(VECTORS_DIR, f)).equals(readFileSync(join(SHARED, f))), f).toBe(true);
    }
    expect(listFiles(VECTORS_DIR)).toEqual(expect.arrayContaining(shared));
  });
});
