/**
 * Operations as real processes (server.md §2.6, §5.3): `offcode-api migrate` and `--print-sql` on a PGlite
 * directory and a fresh PostgreSQL database, the start's migration log line, JSON-only stdout when stdout is
 * a pipe (every line parses; no master key or application secret in it), the banner with OFFCODE_BANNER=true,
 * the probes of a started process, and the demo's verifications and payloads in the offcode_* series.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_ROOT, activateToken, createTestDatabase, http, runMain, startTestApi } from './harness.js';

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

const runApi = (args: string[], env: Record<string, string>) => runMain(env, [], args);

/** Starts the API as a process on a pipe; resolves once its JSON start line names the URL. */
async function startProcess(env: Record<string, string>): Promise<{
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stop(): Promise<number | null>;
}> {
  const child = spawn(process.execPath, [join(API_ROOT, 'dist', 'main.js')], {
    cwd: API_ROOT,
    env: { PATH: process.env.PATH ?? '', OFFCODE_PORT: '0', OFFCODE_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c;
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line:\n${out}${err}`)), 60_000);
    child.stdout?.on('data', () => {
      const m = /"msg":"Offcode API: (http:\/\/127\.0\.0\.1:\d+) /.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}${err}`)));
  });
  return {
    child,
    url,
    stdout: () => out,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'offcode-ops-'));
  dirs.push(d);
  return d;
};

describe('offcode-api migrate', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('PGlite directory: --print-sql changes nothing, a behind schema refuses the start, migrate applies once', async () => {
    const env = { OFFCODE_DATA_DIR: join(tempDir(), 'pgdata') };
    const printed = await runApi(['migrate', '--print-sql'], env);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(
      /^-- Offcode: 3 pending migration\(s\): server\/1 \(initial\), server\/2 \(enrollment\), demo\/1 /,
    );
    expect(printed.stdout.trimEnd().endsWith('COMMIT;')).toBe(true);
    expect((await runApi(['migrate', '--dry-run'], env)).stdout).toBe(printed.stdout); // still pending

    const refused = await runApi([], { ...env, OFFCODE_AUTO_MIGRATE: 'false' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /pending migrations server\/1, server\/2, demo\/1\) and OFFCODE_AUTO_MIGRATE=false: run `offcode-api migrate` first\n$/,
    );

    const applied = await runApi(['migrate'], env);
    expect(applied.code, applied.stderr).toBe(0);
    const lines = jsonLines(applied.stdout);
    expect(lines.slice(0, 3).map((l) => [l.namespace, l.version, l.name, l.msg])).toEqual([
      ['server', 1, 'initial', 'migration applied: server/1 initial'],
      ['server', 2, 'enrollment', 'migration applied: server/2 enrollment'],
      ['demo', 1, expect.any(String), expect.stringMatching(/^migration applied: demo\/1 /)],
    ]);
    expect(lines[3]).toMatchObject({ level: 30, applied: 3 });
    const again = await runApi(['migrate'], env);
    expect(jsonLines(again.stdout)).toEqual([expect.objectContaining({ applied: 0 })]);
    expect((await runApi(['migrate', '--print-sql'], env)).stdout).toBe(
      '-- Offcode: no pending migrations\n',
    );
  });

  it('PostgreSQL: the printed SQL applied with psql is what migrate would do; the start then needs nothing', async () => {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    const env = { DATABASE_URL: db.url };
    const printed = await runApi(['migrate', '--print-sql'], env);
    expect(printed.code, printed.stderr).toBe(0);
    execFileSync('psql', ['-v', 'ON_ERROR_STOP=1', '-q', db.url], { input: printed.stdout });
    expect(jsonLines((await runApi(['migrate'], env)).stdout)).toEqual([
      expect.objectContaining({ applied: 0 }),
    ]);
    const api = await startProcess({ ...env, OFFCODE_AUTO_MIGRATE: 'false', OFFCODE_LOG_LEVEL: 'info' });
    try {
      expect((await http(api.url, '/readyz', { method: 'GET' })).status).toBe(200);
      expect(api.stdout()).toContain('"msg":"migrations: none pending"');
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });

  it('bad options and settings: exit 2 with one line', async () => {
    const bad = await runApi(['migrate', '--force'], { OFFCODE_DATA_DIR: 'memory://' });
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: 'offcode-api migrate: unknown option "--force" (use --print-sql or --dry-run)\n',
    });
    const cmd = await runApi(['migrat'], {});
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toBe('offcode-api: unknown command "migrat" (offcode-api --help)\n');
    const settings = await runApi(['migrate'], { OFFCODE_DB_POOL_MAX: 'many' });
    expect(settings.code).toBe(2);
    expect(settings.stderr.trim().split('\n')).toHaveLength(1);
    expect(settings.stderr).toContain('OFFCODE_DB_POOL_MAX');
  });
});

describe('the start on a pipe', () => {
  it('stdout is JSON lines only: migrations applied, start line, stop; no secret; probes answer', async () => {
    const appSecret = 'app-secret-never-logged';
    const api = await startProcess({
      OFFCODE_DATA_DIR: join(tempDir(), 'pgdata'),
      OFFCODE_MASTER_KEY: MASTER_KEY,
      OFFCODE_DEMO_ENABLED: 'true',
      OFFCODE_INTEGRATION_CREDENTIALS: `ops:${appSecret}`,
      OFFCODE_LOG_LEVEL: 'info',
    });
    expect((await http(api.url, '/livez', { method: 'GET' })).status).toBe(200);
    expect((await http(api.url, '/readyz', { method: 'GET' })).json).toMatchObject({
      status: 'OK',
      responseObject: { ready: true },
    });
    // Wrong credentials: a refusal that must not log the secret either.
    await http(api.url, '/metrics', { method: 'GET', headers: { authorization: 'Basic b3BzOndyb25n' } });
    expect(await api.stop()).toBe(0);
    const lines = jsonLines(api.stdout());
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const msgs = lines.map((l) => l.msg);
    expect(msgs).toContainEqual(
      expect.stringMatching(/^migrations applied: server\/1 initial, server\/2 enrollment, demo\/1 /),
    );
    expect(
      lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('migrations applied'))?.migrations,
    ).toHaveLength(3);
    expect(msgs).toContainEqual(
      expect.stringMatching(new RegExp(`^Offcode API: ${api.url} {2}\\(storage: PGlite /`)),
    );
    expect(msgs).toContain('stopping');
    expect(api.stdout()).not.toContain(MASTER_KEY);
    expect(api.stdout()).not.toContain(appSecret);
    expect(api.stdout()).not.toContain('token activate'); // the CLI line belongs to the banner
  });

  it('OFFCODE_BANNER=true prints the human banner instead of the start line', async () => {
    const r = spawn(process.execPath, [join(API_ROOT, 'dist', 'main.js')], {
      cwd: API_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        OFFCODE_PORT: '0',
        OFFCODE_DATA_DIR: 'memory://',
        OFFCODE_BANNER: 'true',
        OFFCODE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve) => {
      r.stdout.on('data', (c: Buffer) => {
        out += c;
        if (out.includes('/openapi.json')) resolve();
      });
    });
    r.kill('SIGTERM');
    await new Promise((resolve) => r.once('exit', resolve));
    expect(out).toMatch(/^Offcode API: http:\/\/127\.0\.0\.1:\d+ {2}\(storage: PGlite memory:\/\/\)\n/);
    expect(out).toMatch(/probes http:\S+\/livez http:\S+\/readyz/);
    expect(out).not.toContain('{"level"');
  });
});

describe('the demo counts in the offcode_* series', () => {
  it('a demo operation and a wrong code show in offcode_payload_created_total and offcode_verify_total', async () => {
    const api = await startTestApi();
    try {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const { userId } = await activateToken(api.url, { protocol: 4 });
      const created = await http(api.url, '/demo/operation', {
        raw: new URLSearchParams({
          userId,
          kind: 'non-personalized',
          template: 'login',
        }).toString(),
        headers: form,
      });
      expect(created.status, created.text).toBe(303);
      const opPath = created.headers.get('location')!;
      const verified = await http(api.url, `${opPath}/verify`, {
        raw: new URLSearchParams({ code: '12345678-12345678' }).toString(),
        headers: form,
      });
      expect(verified.status).toBeLessThan(500);
      const metrics = (await http(api.url, '/metrics', { method: 'GET' })).text;
      expect(metrics).toMatch(
        /^offcode_payload_created_total\{protocol="\d",kind="non-personalized",proximity="false"\} 1$/m,
      );
      expect(metrics).toMatch(/^offcode_verify_total\{protocol="\d",outcome="[a-z_]+"\} 1$/m);
      expect(metrics).toMatch(/^offcode_verify_duration_seconds_count\{protocol="\d"\} 1$/m);
      expect(metrics).toMatch(
        /^offcode_http_requests_total\{route="\/demo\/operation\/:id\/verify",method="POST",status="303"\} 1$/m,
      );
    } finally {
      await api.close();
    }
  });
});
