// LICENSE, package metadata, the changesets configuration and the documented release command.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectedMetadata, metadataProblems, NODE_ENGINES, writeMetadata } from '../src/metadata.mjs';
import { publishablePackages, readJson, repoRoot, workspacePackages } from '../src/workspace.mjs';

const rootPkg = readJson(join(repoRoot, 'package.json'));
const oneSpace = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('LICENSE', () => {
  const text = oneSpace(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'));

  it('is the full Apache License 2.0, the license every package declares', () => {
    expect(rootPkg.license).toBe('Apache-2.0');
    expect(text.startsWith('Apache License Version 2.0, January 2004 http://www.apache.org/licenses/')).toBe(
      true,
    );
    const sections = [
      '1. Definitions.',
      '2. Grant of Copyright License.',
      '3. Grant of Patent License.',
      '4. Redistribution.',
      '5. Submission of Contributions.',
      '6. Trademarks.',
      '7. Disclaimer of Warranty.',
      '8. Limitation of Liability.',
      '9. Accepting Warranty or Additional Liability.',
      'END OF TERMS AND CONDITIONS',
    ];
    let at = 0;
    for (const heading of sections) {
      const next = text.indexOf(heading, at);
      expect(next, heading).toBeGreaterThan(at);
      at = next;
    }
    expect(text.length).toBeGreaterThan(10_000);
    for (const { name, pkg } of workspacePackages()) {
      if (pkg.license !== undefined) expect(pkg.license, name).toBe('Apache-2.0');
    }
  });
});

describe('package metadata', () => {
  it('every publishable package has license, repository with its directory, homepage, bugs and engines', () => {
    expect(publishablePackages().length).toBeGreaterThanOrEqual(7);
    expect(metadataProblems()).toEqual([]);
  });

  it('the engines range is the tested Node versions, and the root names the repository once', () => {
    expect(NODE_ENGINES).toBe('^20.19.0 || ^22.12.0 || >=24');
    expect(rootPkg.repository.url).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(expectedMetadata('packages/x', rootPkg).homepage).toBe(
      `${rootPkg.repository.url.slice(4, -4)}/tree/main/packages/x#readme`,
    );
  });

  it('this tool depends on every publishable package, so turbo builds them before the tests', () => {
    const own = readJson(join(repoRoot, 'tools', 'release-check', 'package.json'));
    for (const { name } of publishablePackages())
      expect(own.devDependencies?.[name], name).toBe('workspace:*');
  });

  describe('on a scratch workspace (the check is generic: a new package is checked without a list)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'offcode-release-meta-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (rel: string, json: unknown) => {
      mkdirSync(join(dir, rel), { recursive: true });
      writeFileSync(join(dir, rel, 'package.json'), `${JSON.stringify(json, null, 2)}\n`);
    };
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
    write('.', {
      name: 'scratch',
      private: true,
      license: 'Apache-2.0',
      repository: { type: 'git', url: 'git+https://example.org/o/r.git' },
    });
    write('packages/new', { name: '@s/new', version: '1.0.0', license: 'Apache-2.0', type: 'module' });
    write('packages/hidden', { name: '@s/hidden', private: true });

    it('names each missing field of a new package, ignores private ones, and --write fills them in', () => {
      const problems = metadataProblems(dir);
      expect(problems.map((p) => p.split(' is ')[0])).toEqual([
        '@s/new: repository',
        '@s/new: homepage',
        '@s/new: bugs',
        '@s/new: engines',
      ]);
      writeMetadata(dir);
      expect(metadataProblems(dir)).toEqual([]);
      const pkg = readJson(join(dir, 'packages', 'new', 'package.json'));
      expect(Object.keys(pkg)).toEqual([
        'name',
        'version',
        'license',
        'repository',
        'homepage',
        'bugs',
        'type',
        'engines',
      ]);
      expect(pkg.repository).toEqual({
        type: 'git',
        url: 'git+https://example.org/o/r.git',
        directory: 'packages/new',
      });
      expect(pkg.bugs).toEqual({ url: 'https://example.org/o/r/issues' });
      expect(readJson(join(dir, 'packages', 'hidden', 'package.json'))).toEqual({
        name: '@s/hidden',
        private: true,
      });
    });
  });
});

describe('release configuration', () => {
  it('changesets publishes the scoped packages publicly from main', () => {
    const config = readJson(join(repoRoot, '.changeset', 'config.json'));
    expect(config.access).toBe('public');
    expect(config.baseBranch).toBe('main');
  });

  it('`pnpm release` builds everything, then `changeset publish`; the README documents the commands', () => {
    expect(rootPkg.scripts.release).toMatch(/^turbo run build\b.*&& changeset publish$/);
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = /^## Releasing\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1] ?? '';
    for (const command of ['pnpm changeset', 'pnpm changeset version', 'pnpm release']) {
      expect(section, command).toContain(command);
    }
  });
});
