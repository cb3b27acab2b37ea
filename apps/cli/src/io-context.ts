/**
 * Everything a command touches outside its arguments (client.md §5.1): stdout for the result, stderr for
 * the one failure line, stdin, the environment, the terminal for a PIN prompt, and where the token state
 * lives by default. `processIo()` is the real process; tests pass their own to run `main` in-process.
 */
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ReadStream, WriteStream } from 'node:tty';
import envPaths from 'env-paths';
import { CliError, invalidInput } from './errors.js';
import type { InputStream } from './io.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stdin: InputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Asks for a secret on the controlling terminal without echo; throws INVALID_INPUT when there is none. */
  promptSecret(prompt: string): Promise<string>;
  /** The state file used when `--state` is not given (outside any repository: the user's data dir). */
  defaultStatePath(): string;
}

/** Per-user data directory (env-paths: `$XDG_DATA_HOME/offcode`, `~/Library/Application Support/offcode`…). */
export function defaultStatePath(): string {
  const dir = envPaths('offcode', { suffix: '' }).data;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, 'token.json');
}

/** The failure when a PIN is needed and there is no terminal to ask on. */
export const noTerminal = (): CliError =>
  invalidInput('no terminal to ask for the PIN: give --pin-stdin or --pin');

/** A stream that swallows what readline echoes, so the secret is never shown. */
const silent = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** Opens the controlling terminal (works when stdin carries a payload); undefined when there is none. */
function openTerminal(): { input: ReadStream; output: WriteStream } | undefined {
  try {
    return {
      input: new ReadStream(openSync('/dev/tty', 'r')),
      output: new WriteStream(openSync('/dev/tty', 'w')),
    };
  } catch {
    if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
    return { input: process.stdin as ReadStream, output: process.stderr as WriteStream };
  }
}

/**
 * Reads one line from the terminal in raw mode with nothing echoed. Ctrl-C cancels (CANCELED, exit 1),
 * Ctrl-D or a closed terminal before Enter is INVALID_INPUT.
 */
export function promptOnTerminal(prompt: string): Promise<string> {
  const tty = openTerminal();
  if (!tty) return Promise.reject(invalidInput('no terminal to ask for the PIN: give --pin-stdin or --pin'));
  const { input, output } = tty;
  // The interface first: it puts the terminal in raw mode (no echo) before the prompt invites typing.
  const rl = createInterface({ input, output: silent(), terminal: true, historySize: 0 });
  output.write(prompt);
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value = '') => {
      if (settled) return;
      settled = true;
      output.write('\n');
      rl.close();
      if (input !== process.stdin) input.destroy();
      if (output !== process.stderr) output.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    rl.on('line', (line) => finish(undefined, line));
    rl.on('SIGINT', () => finish(new CliError('CANCELED', 'PIN entry canceled')));
    rl.on('close', () => finish(invalidInput('no PIN entered')));
  });
}

export function processIo(): CliIo {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stdin: process.stdin,
    env: process.env,
    promptSecret: promptOnTerminal,
    defaultStatePath,
  };
}
