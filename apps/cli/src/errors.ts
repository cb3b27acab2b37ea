/**
 * How the CLI fails (client.md §5.1): exactly one stderr line `offcode: CODE: [REASON: ]message`, exit 2 for
 * invalid input (usage, arguments, INVALID_QR, QR_CAPACITY_EXCEEDED), exit 1 for runtime failures.
 */
import { OffcodeClientError } from '@offcode/client';
import { OffcodeBaseError } from '@offcode/errors';

export const INPUT_CODES = new Set(['INVALID_INPUT', 'INVALID_QR', 'QR_CAPACITY_EXCEEDED']);

/**
 * An error the CLI reports itself (usage problems, unreadable input files): `kind` input for the input codes,
 * else unavailable (a file or store that cannot be read or written now).
 */
export class CliError extends OffcodeBaseError {
  override readonly name = 'CliError';
  readonly reason?: string;

  constructor(code: string, message: string, reason?: string, options: { cause?: unknown } = {}) {
    super(INPUT_CODES.has(code) ? 'input' : 'unavailable', code, message, options);
    if (reason !== undefined) this.reason = reason;
  }
}

export const invalidInput = (message: string) => new CliError('INVALID_INPUT', message);

export interface Failure {
  code: string;
  reason?: string;
  message: string;
  exitCode: 1 | 2;
}

/** Keeps messages on one line: the contract is exactly one stderr line. */
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

export function describeFailure(e: unknown): Failure {
  if (e instanceof CliError || e instanceof OffcodeClientError) {
    const code = e.code;
    return {
      code,
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
      message: oneLine(e.message),
      exitCode: INPUT_CODES.has(code) ? 2 : 1,
    };
  }
  return {
    code: 'INTERNAL_ERROR',
    message: 'unexpected failure (run with OFFCODE_DEBUG=1 for details)',
    exitCode: 1,
  };
}

export function formatFailure(f: Failure): string {
  return f.reason ? `offcode: ${f.code}: ${f.reason}: ${f.message}` : `offcode: ${f.code}: ${f.message}`;
}
