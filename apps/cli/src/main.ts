/**
 * `offcode` entry point. Exit 0 ok, 1 runtime failure, 2 invalid input; on failure exactly one stderr
 * line (more only with OFFCODE_DEBUG=1).
 */
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import { describeFailure, formatFailure } from './errors.js';
import { buildProgram } from './program.js';

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

function commanderMessage(e: CommanderError): string {
  return e.message
    .replace(/^error:\s*/i, '')
    .replace(/[\r\n]+/g, ' ')
    .trim();
}

export async function main(argv: string[]): Promise<number> {
  const out = { stdout: (s: string) => void process.stdout.write(s) };
  const program = buildProgram(out, version);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      const message =
        e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync'
          ? 'missing command (see offcode --help)'
          : commanderMessage(e);
      process.stderr.write(`offcode: INVALID_INPUT: ${message}\n`);
      return 2;
    }
    const failure = describeFailure(e);
    process.stderr.write(formatFailure(failure) + '\n');
    if (process.env.OFFCODE_DEBUG === '1') {
      process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
      const cause = (e as { cause?: unknown })?.cause;
      if (cause) process.stderr.write(`cause: ${(cause as Error)?.stack ?? String(cause)}\n`);
    }
    return failure.exitCode;
  }
}

const code = await main(process.argv.slice(2));
// Let stdout drain (pipes) before exiting with the code.
process.exitCode = code;
