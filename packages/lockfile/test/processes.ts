/** Real child processes running the fixtures against the built package (dist/). */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(PACKAGE_DIR, 'test', 'fixtures');

export interface Child {
  process: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line that matches. */
  line(match: RegExp, timeoutMs?: number): Promise<string>;
  exit: Promise<number | null>;
}

export function node(fixture: string, args: string[]): Child {
  if (!existsSync(join(PACKAGE_DIR, 'dist', 'index.js'))) {
    throw new Error('build @offcode/lockfile first (pnpm --filter @offcode/lockfile build)');
  }
  const child = spawn(process.execPath, [join(FIXTURES, fixture), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = (match: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${fixture}: no line ${match} within ${timeoutMs} ms\n${out}\n${err}`));
      }, timeoutMs);
      const check = () => {
        const found = out.split('\n').find((l) => match.test(l));
        if (found !== undefined) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve(found);
        }
      };
      child.stdout.on('data', check);
      void exit.then(() => {
        check();
        clearTimeout(timer);
        reject(new Error(`${fixture} exited before ${match}\n${out}\n${err}`));
      });
      check();
    });
  return { process: child, pid: child.pid!, stdout: () => out, stderr: () => err, line, exit };
}

/** kill -9, and wait until the process is reaped (so its pid no longer exists). */
export async function killHard(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exit;
}
