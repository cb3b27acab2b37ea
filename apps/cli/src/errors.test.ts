import { OffcodeClientError } from '@offcode/client';
import { isOffcodeError, OffcodeBaseError } from '@offcode/errors';
import { describe, expect, it } from 'vitest';
import { CliError, describeFailure } from './errors.js';

describe('CliError on the common base class', () => {
  it('carries code, field, kind, cause and the optional reason; exit codes unchanged', () => {
    const cause = new Error('EACCES');
    const io = new CliError('STORAGE_FAILURE', 'output file cannot be written (EACCES)', undefined, {
      cause,
    });
    expect(io).toBeInstanceOf(OffcodeBaseError);
    expect(isOffcodeError(io)).toBe(true);
    expect([io.code, io.field, io.kind, io.cause, io.reason]).toEqual([
      'STORAGE_FAILURE',
      null,
      'unavailable',
      cause,
      undefined,
    ]);
    const qr = new CliError('INVALID_QR', 'bad payload', 'TOO_FEW_LINES');
    expect([qr.kind, qr.reason]).toEqual(['input', 'TOO_FEW_LINES']);
    expect(describeFailure(qr).exitCode).toBe(2);
    expect(describeFailure(io).exitCode).toBe(1);
    expect(describeFailure(new OffcodeClientError('NETWORK_ERROR', 'down')).exitCode).toBe(1);
  });
});
