// @arethetypeswrong/core on the tarballs pnpm packs: the resolution modes the README states (TypeScript
// node16/nodenext from ES modules, bundler) are clean; under the default (strict) profile the only problems
// are those of shipping ES modules only, in the modes the README does not claim (node10, node16 from CJS).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot, type Packed, packAll } from '../src/scratch.mjs';

const SUPPORTED = ['node16-esm', 'bundler'];
type Analysis = Awaited<ReturnType<typeof checkPackage>>;
const analyses: { name: string; analysis: Analysis }[] = [];

beforeAll(async () => {
  const packed: Packed[] = packAll(join(cacheRoot, 'types-tarballs'));
  for (const { name, tarball } of packed) {
    const pkg = createPackageFromTarballData(new Uint8Array(readFileSync(tarball)));
    analyses.push({ name, analysis: await checkPackage(pkg) });
  }
});

const problemsOf = (analysis: Analysis) => ('problems' in analysis ? analysis.problems : []);

describe('type resolution of every published package (attw)', () => {
  it('every package with types is clean in the supported modes (node16 from ESM, bundler)', () => {
    const typed = analyses.filter(({ analysis }) => analysis.types !== false);
    expect(typed.length).toBeGreaterThanOrEqual(7);
    for (const { name, analysis } of typed) {
      const bad = problemsOf(analysis).filter(
        (p) => !('resolutionKind' in p) || SUPPORTED.includes(String(p.resolutionKind)),
      );
      expect(bad, name).toEqual([]);
    }
  });

  it('under the strict profile the only problems are ESM-only ones outside the supported modes', () => {
    const kinds = new Set<string>();
    for (const { analysis } of analyses) {
      for (const p of problemsOf(analysis)) {
        kinds.add(`${p.kind}@${'resolutionKind' in p ? p.resolutionKind : '-'}`);
      }
    }
    expect(kinds.has('CJSResolvesToESM@node16-cjs'), [...kinds].join(', ')).toBe(true);
    for (const k of kinds) expect(['CJSResolvesToESM@node16-cjs', 'NoResolution@node10']).toContain(k);
  });
});
