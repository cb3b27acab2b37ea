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

export interface CliLineInput {
  url: string;
  application: string;
  activationCode: string;
  /**
   * The application's PowerAuth values (what a PowerAuth mobile SDK app has compiled in). With all three the
   * line enrols V3 through /pa/v3 (the CLI's default); without them it keeps the plain V4 exchange.
   */
  applicationKey?: string;
  applicationSecret?: string;
  masterPublicKey?: string;
}

export function cliActivateLine(input: CliLineInput): string {
  const head = [cliCommand(), 'token activate --server', shellWord(input.url)];
  const { applicationKey, applicationSecret, masterPublicKey } = input;
  if (applicationKey && applicationSecret && masterPublicKey) {
    return [
      ...head,
      '--code',
      shellWord(input.activationCode),
      '--app-key',
      shellWord(applicationKey),
      '--app-secret',
      shellWord(applicationSecret),
      '--master-key',
      shellWord(masterPublicKey),
      '--application',
      shellWord(input.application),
    ].join(' ');
  }
  return [
    ...head,
    '--application',
    shellWord(input.application),
    '--code',
    shellWord(input.activationCode),
    '--protocol 4',
  ].join(' ');
}
