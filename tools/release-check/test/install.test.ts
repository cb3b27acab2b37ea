// The tarballs pnpm packs for a release, installed by plain npm in a scratch project: what is in them, every
// entry imported (ESM) and required (CJS, Node >= 20.19), PostgreSQL without PGlite, the shipped examples.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { addPglite, type Packed, removePglite, scratchEnv, scratchProject } from '../src/scratch.mjs';
import { repoRoot } from '../src/workspace.mjs';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
let dir = '';
let packed: Packed[] = [];

const tar = (file: string, args: string[]) =>
  execFileSync('tar', [...args, '-f', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

function runJson(args: string[], env: Record<string, string> = {}) {
  try {
    return JSON.parse(
      execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: scratchEnv(env) }),
    );
  } catch (error) {
    const out = (error as { stdout?: string }).stdout;
    if (out) return JSON.parse(out);
    throw error;
  }
}

beforeAll(() => {
  ({ dir, packed } = scratchProject());
  removePglite(dir);
});

describe('the packed tarballs', () => {
  it('are one per publishable package, each with LICENSE, README and no workspace: range', () => {
    expect(packed.length).toBeGreaterThanOrEqual(7);
    for (const { name, tarball } of packed) {
      const files = tar(tarball, ['-tz']).split('\n');
      expect(files, name).toContain('package/LICENSE');
      expect(files, name).toContain('package/README.md');
      const manifest = tar(tarball, ['-xzO', 'package/package.json']);
      expect(manifest, name).not.toContain('workspace:');
    }
  });

  it('carry no source map with embedded sources, and no test files', () => {
    let maps = 0;
    for (const { name, tarball } of packed) {
      const files = tar(tarball, ['-tz']).split('\n').filter(Boolean);
      expect(
        files.filter((f) => /\.test\.[cm]?[jt]s$/.test(f)),
        name,
      ).toEqual([]);
      for (const file of files.filter((f) => f.endsWith('.map'))) {
        const map = JSON.parse(tar(tarball, ['-xzO', file]));
        maps++;
        expect(
          (map.sourcesContent ?? []).filter((s: unknown) => s !== null),
          `${name} ${file}`,
        ).toEqual([]);
      }
    }
    expect(maps).toBeGreaterThan(0);
  });
});

describe('installed with npm in a scratch project', () => {
  it('without PGlite: the server loads, PostgreSQL storage migrates, the embedded one names what to install', () => {
    const report = runJson(['pg-only.mjs'], { DATABASE_URL: databaseUrl });
    expect(report.failures).toEqual([]);
    expect(report.tables).toBeGreaterThan(2);
    expect(report.pgliteError.name).toBe('StorageError');
    expect(report.pgliteError.message).toBe(
      'the embedded database needs the optional peer dependency @electric-sql/pglite: npm install @electric-sql/pglite@^0.5.17, or set DATABASE_URL to use PostgreSQL',
    );
  });

  it('every exports entry of every package resolves, imports, and require() gives the same module', () => {
    const report = runJson(['smoke.mjs']);
    expect(report.failures).toEqual([]);
    expect(report.node).toBe(process.version);
    for (const { name } of packed) {
      if (name !== '@offcode/cli')
        expect(
          report.entries.some((e: string) => e.startsWith(`${name} `)),
          name,
        ).toBe(true);
    }
    expect(report.entries.some((e: string) => e.startsWith('@offcode/client/browser '))).toBe(true);
    expect(report.ran).toContain('offcode --help');
  });

  it('with PGlite added, the examples every package ships run', () => {
    addPglite(dir);
    const report = runJson(['smoke.mjs', '--examples']);
    expect(report.failures).toEqual([]);
    expect(report.ran).toContain('@offcode/server/examples/quickstart.mjs');
  });

  it('TypeScript CommonJS code type-checks require() of every package root with module node20, not node16', () => {
    const tsc = createRequire(join(repoRoot, 'package.json')).resolve('typescript/bin/tsc');
    const typed = packed.filter((p) => p.name !== '@offcode/cli');
    const ts = join(dir, 'ts-cjs');
    mkdirSync(ts, { recursive: true });
    const lines = typed.map((p, i) => `import m${i} = require('${p.name}');`);
    lines.push(`export = [${typed.map((_, i) => `Object.keys(m${i})`).join(', ')}];`);
    writeFileSync(join(ts, 'consumer.cts'), `${lines.join('\n')}\n`);
    const config = (module: string) => {
      const file = join(ts, `tsconfig.${module}.json`);
      const compilerOptions = { module, strict: true, noEmit: true, skipLibCheck: true, types: [] };
      writeFileSync(file, JSON.stringify({ compilerOptions, files: ['consumer.cts'] }));
      return file;
    };
    const run = (module: string) => {
      try {
        execFileSync(process.execPath, [tsc, '-p', config(module)], { cwd: ts, encoding: 'utf8' });
        return '';
      } catch (error) {
        return String((error as { stdout?: string }).stdout);
      }
    };
    expect(run('node20')).toBe('');
    expect(run('node16')).toContain('TS1471');
  });
});
