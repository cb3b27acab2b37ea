// The command line as users install it (issue 12 item 7): the packed @offcode/cli run through `npx` and through a
// global install (`npm install -g --prefix`), each from a directory outside any project, with commands that need
// no server: --version, --help, a raw code (the V3 example of crypto.md §13: wasm crypto and the protocol load),
// and `token status` with the default state file in the per-user data directory, never the working directory.
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliTarballs, globalInstall, npxOffcode, run, useLocalScopeRegistry } from '../src/cli-install.mjs';

const V3_EXAMPLE = [
  ...['code', '--protocol', '3', '--type', 'possession_knowledge'],
  ...['--possession', 'UUOQH89Hoa/Nw7ew5rGTPw==', '--knowledge', 'hjHWTy3HA3nQdDcdnJbRMw=='],
  ...['--ctr', 'V4uAF/PstuQoGNnNTifHuw=='],
  '--data-b64',
  Buffer.from(
    'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&AD8bOO0Df73kNaIGb3Vmpg==&NWZmMWIxZWQtYTNjYy00NWEzLThhYjAtZWQ2MDk1MDMxMmI2JkExKkExMDBDWksqSUNaMjczMDMwMDAwMDAwMTE2NTI1NDAxMSpEMjAxODA0MjU=&offline',
  ).toString('base64'),
];

let set: ReturnType<typeof cliTarballs>;
const temp: string[] = [];
/** A fresh directory outside the repository (and outside any npm project). */
const scratch = () => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'offcode-cli-install-')));
  temp.push(d);
  return d;
};

let stopRegistry: (() => void) | undefined;
beforeAll(async () => {
  stopRegistry = await useLocalScopeRegistry();
  set = cliTarballs();
});
afterAll(() => {
  stopRegistry?.();
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

type Runner = (args: string[], o: { cwd: string; env?: Record<string, string> }) => ReturnType<typeof run>;

/** The same offline checks through whichever way the CLI was installed. */
function offlineChecks(offcode: () => Runner) {
  it('--version prints the packed version, --help the usage, both on stdout only', () => {
    const cwd = scratch();
    const v = offcode()(['--version'], { cwd });
    expect(v, v.stderr).toMatchObject({ status: 0, stderr: '' });
    expect(v.stdout).toBe(`${set.version}\n`);
    const h = offcode()(['--help'], { cwd });
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: offcode/);
    expect(h.stdout).toMatch(/\btoken\b/);
    const t = offcode()(['token', 'activate', '--help'], { cwd });
    expect(t.stdout).toContain('--app-key');
  });

  it('computes the V3 example code of crypto.md §13 (the crypto engine and the protocol load)', () => {
    const r = offcode()(V3_EXAMPLE, { cwd: scratch() });
    expect(r, r.stderr).toMatchObject({ status: 0, stdout: '81635335-01379301\n', stderr: '' });
  });

  it('token status: the default state file is in $XDG_DATA_HOME/offcode, nothing in the working directory', () => {
    const cwd = scratch();
    const data = scratch();
    const r = offcode()(['token', 'status'], { cwd, env: { XDG_DATA_HOME: data, HOME: scratch() } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^offcode: NOT_ACTIVATED: [^\n]+\n$/);
    expect(existsSync(join(data, 'offcode'))).toBe(true);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('bad input is exit 2 with one line naming the flag', () => {
    const r = offcode()(
      ['token', 'activate', '--server', 'http://127.0.0.1:9', '--code', 'AAAAA-AAAAA-AAAAA-AAAAA'],
      {
        cwd: scratch(),
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^offcode: INVALID_INPUT: --app-key is required[^\n]*\n$/);
  });
}

describe('npx with the packed tarballs (what `npx @offcode/cli` does once published)', () => {
  it('the CLI package has exactly one bin, so `npx @offcode/cli` runs it without naming it', () => {
    const manifest = JSON.parse(
      run('tar', ['-xzOf', set.tarballs.find((t) => t.includes('offcode-cli-'))!, 'package/package.json'], {
        cwd: set.dir,
      }).stdout,
    );
    expect(Object.keys(manifest.bin)).toEqual(['offcode']);
  });
  offlineChecks(() => (args, o) => npxOffcode(set.tarballs, args, o));
});

describe('npm install -g --prefix with the packed tarballs', () => {
  let bin = '';
  beforeAll(() => {
    ({ bin } = globalInstall(set));
  });

  it('links the offcode bin into <prefix>/bin', () => {
    expect(existsSync(bin)).toBe(true);
  });
  offlineChecks(() => (args, o) => run(bin, args, o));
});
