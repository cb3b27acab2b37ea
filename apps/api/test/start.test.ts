/**
 * The start command (`pnpm --filter @offcode/api start` = `node dist/main.js`) as a child process: banner
 * with the URLs and a ready `offcode token activate …` line that really works with the `offcode` CLI;
 * file-backed PGlite created on first start and reused (idempotent seed); invalid configuration → every
 * problem on its own line and exit code 2; encrypted keys without the master key → exit 1 with ERR0020;
 * SIGTERM → clean exit 0; plaintext keys on a non-loopback address refused without the opt-in; the demo only
 * when asked for (the README's start command asks).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveApiConfig, startApi } from '../src/start.js';
import { API_ROOT, createTestDatabase, http, ok, runMain, spawnApi } from './harness.js';

const require = createRequire(import.meta.url);
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'offcode-api-start-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function offcodeCli(): string {
  const bin = join(dirname(require.resolve('@offcode/cli/package.json')), 'bin', 'offcode.js');
  if (!existsSync(join(dirname(bin), '..', 'dist', 'cli.js')))
    throw new Error('the offcode CLI is not built: run "pnpm --filter @offcode/cli build"');
  return bin;
}

function runCli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [offcodeCli(), ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs a shell command line on a pseudo-terminal (util-linux `script`), typing each answer after a prompt
 * ending in ": " appears; resolves with the exit code and everything the terminal showed.
 */
function runOnTerminal(
  line: string,
  answers: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', line, '/dev/null'], { cwd, env: { ...process.env, ...env } });
    let output = '';
    const pending = [...answers];
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString('utf8');
      if (pending.length > 0 && output.endsWith(': ')) child.stdin.write(`${pending.shift()}\r`);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('start command', () => {
  it('package.json start runs dist/main.js', () => {
    const pkg = JSON.parse(readFileSync(join(API_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe('node dist/main.js');
  });

  it('prints the URLs and a working `offcode token activate` line; the CLI token approves a demo operation', async () => {
    const dataDir = join(tempDir(), 'pgdata');
    const api = await spawnApi({
      OFFCODE_DATA_DIR: dataDir,
      OFFCODE_DEMO_ENABLED: 'true',
      OFFCODE_BANNER: 'true',
    });
    try {
      const out = api.output();
      const url = api.url;
      for (const line of [
        `Offcode API: ${url}`,
        `${url}/rest/v3/status`,
        `${url}/openapi.json`,
        `${url}/docs`,
        `${url}/healthz`,
        `${url}/metrics`,
        `Offcode demo: ${url}/demo`,
        `${url}/demo/token`,
      ]) {
        expect(out).toContain(line);
      }
      expect(out).toContain('OFFCODE_MASTER_KEY is not set');
      const activateLine = /^\s*(node \S+\/bin\/offcode\.js token activate .*)$/m.exec(out)?.[1];
      expect(activateLine).toMatch(
        new RegExp(
          `token activate --server ${url.replace(/\./g, '\\.')} --code [A-Z2-7]{5}(-[A-Z2-7]{5}){3} --app-key [A-Za-z0-9+/=]{24} --app-secret [A-Za-z0-9+/=]{24} --master-key [A-Za-z0-9+/=]{88} --application offcode-demo$`,
        ),
      );
      expect(existsSync(dataDir)).toBe(true);

      // Pasted as printed into a shell on a terminal, in another directory: it asks for the PIN twice.
      const xdg = tempDir();
      const pasted = await runOnTerminal(activateLine!, ['1234', '1234'], { XDG_DATA_HOME: xdg }, tempDir());
      expect(pasted.code, pasted.output).toBe(0);
      const brace = pasted.output.indexOf('{');
      expect(pasted.output.slice(0, brace)).toMatch(/^PIN: \r?\nPIN again: \r?\n$/); // nothing echoed
      const json = pasted.output.slice(brace, pasted.output.lastIndexOf('}') + 1);
      expect(JSON.parse(json)).toMatchObject({
        activationStatus: 'ACTIVE',
        protocol: 3,
        mechanism: 'powerauth',
        applicationId: 'offcode-demo',
      });
      const state = join(xdg, 'offcode', 'token.json');
      expect(existsSync(state)).toBe(true);

      const created = await http(url, '/demo/operation', {
        raw: new URLSearchParams({
          userId: 'cli-demo',
          kind: 'personalized',
          template: 'payment',
          amount: '42',
          currency: 'EUR',
          iban: 'CZ2730300000001165254011',
        }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(created.status).toBe(303);
      const opPath = created.headers.get('location')!;
      const op = (await http<{ offlineData: string }>(url, `${opPath}.json`, { method: 'GET' })).json;
      const approved = runCli(['token', 'approve', '--state', state, '--pin', '1234'], `${op.offlineData}\n`);
      expect(approved.status, approved.stderr).toBe(0);
      const code = approved.stdout.trim();
      expect(code).toMatch(/^\d{8}-\d{8}$/);
      const verified = await http(url, `${opPath}/verify`, {
        raw: new URLSearchParams({ code }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(verified.status).toBe(303);
      const result = await http(url, `${opPath}/result`, { method: 'GET' });
      expect(result.text).toMatch(/data-testid="result" data-value="VALID"/);
    } finally {
      expect(await api.stop()).toBe(0);
    }

    // Second start on the same directory: the data survived, the seed is idempotent.
    const again = await spawnApi({ OFFCODE_DATA_DIR: dataDir, OFFCODE_DEMO_ENABLED: 'true' });
    try {
      const apps = await ok(again.url, '/rest/v3/application/list');
      expect(apps.applications.map((a: { applicationId: string }) => a.applicationId)).toEqual([
        'offcode-demo',
      ]);
      const audit = await ok(again.url, '/rest/v3/signature/list', { userId: 'cli-demo' });
      expect(audit.items).toHaveLength(1);
      expect(audit.items[0].valid).toBe(true);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });

  it('invalid configuration: every problem on its own line, exit code 2, nothing started', async () => {
    const r = await runMain({
      OFFCODE_LOOKAHEAD: '100',
      OFFCODE_PORT: 'http',
      OFFCODE_DATA_DIR: 'memory://',
      OFFCODE_TYPO: '1',
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain('config: OFFCODE_LOOKAHEAD must be an integer in 1..64, got "100"');
    expect(lines).toContain('config: OFFCODE_PORT must be an integer in 0..65535, got "http"');
    expect(r.stdout).toBe('');
  });

  it('plaintext keys on a non-loopback address: one line and exit code 2 unless OFFCODE_ALLOW_PLAINTEXT_KEYS=true', async () => {
    const r = await runMain({ OFFCODE_HOST: '0.0.0.0', OFFCODE_PORT: '0', OFFCODE_DATA_DIR: 'memory://' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'config: OFFCODE_MASTER_KEY must be set when OFFCODE_HOST is not a loopback address (keys would be stored in plaintext), got host "0.0.0.0"; set OFFCODE_ALLOW_PLAINTEXT_KEYS=true to accept that\n',
    );
    expect(r.stdout).toBe('');
    const optIn = await startApi({
      env: {
        OFFCODE_HOST: '0.0.0.0',
        OFFCODE_PORT: '0',
        OFFCODE_DATA_DIR: 'memory://',
        OFFCODE_ALLOW_PLAINTEXT_KEYS: 'true',
        OFFCODE_LOG_LEVEL: 'silent',
      },
      logger: false,
    });
    try {
      expect(optIn.warnings.join('\n')).toContain('PLAINTEXT');
      const port = new URL(optIn.url).port;
      expect((await http(`http://127.0.0.1:${port}`, '/healthz', { method: 'GET' })).status).toBe(200);
    } finally {
      await optIn.close();
    }
  });

  it("the README's start command (scripts/start.sh) turns the demo on; node dist/main.js alone does not", async () => {
    const script = readFileSync(join(API_ROOT, '..', '..', 'scripts', 'start.sh'), 'utf8');
    expect(script).toMatch(/^\s*export OFFCODE_DEMO_ENABLED="\$\{OFFCODE_DEMO_ENABLED:-true\}"$/m);
    // The banner (which would name the demo) needs OFFCODE_BANNER on a pipe.
    const api = await spawnApi({ OFFCODE_DATA_DIR: 'memory://', OFFCODE_BANNER: 'true' });
    try {
      expect(api.output()).toContain('Offcode API: http');
      expect(api.output()).not.toContain('Offcode demo:');
      expect((await http(api.url, '/demo', { method: 'GET' })).status).toBe(404);
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });

  it('encrypted keys in the database but no OFFCODE_MASTER_KEY: the start stops with ERR0020 (exit 1)', async () => {
    const db = await createTestDatabase();
    try {
      const key = Buffer.alloc(32, 9).toString('base64');
      // The demo seed creates the demo application: its master keys are the encrypted records.
      const first = await spawnApi({
        DATABASE_URL: db.url,
        OFFCODE_MASTER_KEY: key,
        OFFCODE_DEMO_ENABLED: 'true',
      });
      expect(first.output()).not.toContain('OFFCODE_MASTER_KEY is not set');
      expect((await ok(first.url, '/rest/v3/status')).encryptionAtRest).toBe(true);
      expect(await first.stop()).toBe(0);
      const r = await runMain({ DATABASE_URL: db.url, OFFCODE_PORT: '0' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('offcode-api: cannot start: ERR0020');
      expect(r.stdout).toBe('');
    } finally {
      await db.drop();
    }
  });

  it('a crypto backend that cannot load: the start fails with ERR0023 before listening', async () => {
    // PGlite is WebAssembly too: take WebAssembly away only after the storage is open, as on an engine
    // without it (Hermes-like) where OFFCODE_CRYPTO_BACKEND=wasm was forced.
    const saved = globalThis.WebAssembly;
    const start = startApi({
      env: {
        OFFCODE_DATA_DIR: 'memory://',
        OFFCODE_PORT: '0',
        OFFCODE_CRYPTO_BACKEND: 'wasm',
        OFFCODE_LOG_LEVEL: 'silent',
      },
      logger: false,
      wrapStorage: (storage) => {
        // biome-ignore lint/suspicious/noExplicitAny: removing a global for this check only
        delete (globalThis as any).WebAssembly;
        return storage;
      },
    });
    try {
      await expect(start).rejects.toMatchObject({ name: 'OffcodeError', code: 'ERR0023' });
    } finally {
      globalThis.WebAssembly = saved;
    }
  });

  it('defaults: PGlite under apps/api/.data (created), loopback host; a warning for an open non-loopback listener', () => {
    const { config, errors } = resolveApiConfig({});
    expect(errors).toEqual([]);
    expect(config.dataDir).toBe(join(API_ROOT, '.data', 'pgdata'));
    expect(existsSync(config.dataDir)).toBe(true);
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(
      resolveApiConfig({ OFFCODE_HOST: '0.0.0.0', OFFCODE_DATA_DIR: 'memory://' }).warnings.join('\n'),
    ).toContain('OFFCODE_INTEGRATION_CREDENTIALS is not set and the API listens on 0.0.0.0');
    expect(
      resolveApiConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x' }).config.databaseUrl,
    ).toBe('postgres://postgres@127.0.0.1:5432/x');
  });
});
