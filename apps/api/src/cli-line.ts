/**
 * The start banner's command-line token line (issue 12 item 7): a command that works when pasted as printed,
 * in any directory. From a checkout it runs this workspace's CLI by its absolute path (`offcode` is on the
 * PATH only after a global install); without one, `offcode`. The PIN is asked on the terminal and the state
 * goes to the CLI's default file in the per-user data directory, never the working directory.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One shell word: as is when it has no special characters, else single-quoted. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `node /abs/path/apps/cli/bin/offcode.js` when the workspace CLI is resolvable, else `offcode`. */
export function cliCommand(resolve: (id: string) => string = createRequire(import.meta.url).resolve): string {
  try {
    const bin = join(dirname(resolve('@offcode/cli/package.json')), 'bin', 'offcode.js');
    return `node ${shellWord(bin)}`;
  } catch {
    return 'offcode';
  }
}

export function cliActivateLine(input: { url: string; application: string; activationCode: string }): string {
  return [
    cliCommand(),
    'token activate --server',
    shellWord(input.url),
    '--application',
    shellWord(input.application),
    '--code',
    shellWord(input.activationCode),
    '--protocol 4',
  ].join(' ');
}
