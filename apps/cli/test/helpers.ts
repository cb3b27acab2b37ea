import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { noTerminal } from '../src/io-context.js';
import { main } from '../src/main.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The bin entry as installed (bin/offcode.js, which loads the built dist/cli.js). */
export const CLI = join(here, '..', 'bin', 'offcode.js');
const BUILT = join(here, '..', 'dist', 'cli.js');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface RunOptions {
  input?: string | Uint8Array;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export interface CliOptions {
  input?: string | Uint8Array;
  /** The whole environment the command sees (nothing is inherited from the test process). */
  env?: Record<string, string | undefined>;
  /** Answers to PIN prompts, in order; without them a prompt fails as on a machine with no terminal. */
  answers?: string[];
  /** The state file used without `--state` (default: one in a fresh temporary directory). */
  defaultState?: string;
}

/** What an in-process run saw: the prompts it printed, besides the RunResult. */
export interface CliResult extends RunResult {
  prompts: string[];
}

/**
 * Runs `main()` in this process (client.md §5.1 contract: stdout, stderr, exit code), with its own stdin,
 * environment and terminal: no child process, no build needed.
 */
export async function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const answers = [...(opts.answers ?? [])];
  const input = opts.input ?? '';
  const status = await main(args, {
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    stdin: Readable.from(input.length === 0 ? [] : [Buffer.from(input)]),
    env: { ...opts.env },
    promptSecret: async (prompt) => {
      prompts.push(prompt);
      const answer = answers.shift();
      if (answer === undefined) throw noTerminal();
      return answer;
    },
    defaultStatePath: () =>
      opts.defaultState ?? join(mkdtempSync(join(tmpdir(), 'offcode-default-')), 'token.json'),
  });
  const stdout = out.join('');
  return { status, stdout, stderr: err.join(''), stdoutBytes: Buffer.from(stdout), prompts };
}

function childEnv(extra: Record<string, string | undefined> = {}) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...extra })) {
    if (v !== undefined && !(k in extra && extra[k] === undefined)) env[k] = v;
  }
  delete env.OFFCODE_DEBUG;
  if (extra.OFFCODE_DEBUG) env.OFFCODE_DEBUG = extra.OFFCODE_DEBUG;
  return env;
}

/** Runs the built `offcode` binary as a child process. */
export function offcode(args: string[], opts: RunOptions = {}): RunResult {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build @offcode/cli first`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: opts.input ?? '',
    env: childEnv(opts.env),
    cwd: opts.cwd,
    timeout: 60_000,
  });
  return {
    status: r.status,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    stdoutBytes: r.stdout,
  };
}

/** Async variant (for tests that run a server in this process). */
export function offcodeAsync(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(opts.env), cwd: opts.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (status) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({
        status,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
      });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Exit 0 with nothing on stderr. */
export function expectOk(r: RunResult): void {
  expect(r.stderr, 'stderr on success').toBe('');
  expect(r.status).toBe(0);
}

/** A failure: the exit code and exactly one stderr line `offcode: CODE: …`; nothing on stdout. */
export function expectFailure(r: RunResult, exitCode: 1 | 2, code: string, reason?: string): string {
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  const prefix = reason ? `offcode: ${code}: ${reason}: ` : `offcode: ${code}: `;
  expect(lines[0]!.startsWith(prefix), `${lines[0]} starts with ${prefix}`).toBe(true);
  expect(lines[0]!.length).toBeGreaterThan(prefix.length);
  expect(r.status).toBe(exitCode);
  return lines[0]!;
}

/** payload.md §8 partial match: every key present in `expected` deep-equal, arrays element by element. */
export function expectPartial(actual: unknown, expected: unknown, path = '$'): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    for (const [i, e] of expected.entries()) expectPartial((actual as unknown[])[i], e, `${path}[${i}]`);
  } else if (expected !== null && typeof expected === 'object') {
    expect(actual !== null && typeof actual === 'object', path).toBe(true);
    for (const [k, v] of Object.entries(expected))
      expectPartial((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}
