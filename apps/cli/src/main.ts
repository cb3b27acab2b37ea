/**
 * `offcode` as a function: `main(argv, io)` runs one command and resolves to its exit code (0 ok, 1 runtime
 * failure, 2 invalid input) without touching the process: output, input, environment and the terminal all
 * come through `io` (client.md §5.1). On failure exactly one stderr line (more only with OFFCODE_DEBUG=1).
 */
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import { describeFailure, formatFailure } from './errors.js';
import { type CliIo, processIo } from './io-context.js';
import { buildProgram } from './program.js';

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

function commanderMessage(e: CommanderError): string {
  return e.message
    .replace(/^error:\s*/i, '')
    .replace(/[\r\n]+/g, ' ')
    .trim();
}

function reportCommanderError(io: CliIo, e: CommanderError): number {
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
  const message =
    e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync'
      ? 'missing command (see offcode --help)'
      : commanderMessage(e);
  io.stderr(`offcode: INVALID_INPUT: ${message}\n`);
  return 2;
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io, version);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return reportCommanderError(io, e);
    const failure = describeFailure(e);
    io.stderr(formatFailure(failure) + '\n');
    if (io.env.OFFCODE_DEBUG === '1') {
      io.stderr(`${(e as Error)?.stack ?? String(e)}\n`);
      const cause = (e as { cause?: unknown })?.cause;
      if (cause) io.stderr(`cause: ${(cause as Error)?.stack ?? String(cause)}\n`);
    }
    return failure.exitCode;
  }
}
