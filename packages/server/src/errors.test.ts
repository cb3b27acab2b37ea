/**
 * One error hierarchy (issue 11 item 7): a sample of every error class the server and the packages below it
 * throw is an OffcodeBaseError with code, field, kind and cause, so an application handles them alike.
 */
import { getNobleCrypto, OffcodeCryptoError } from '@offcode/crypto-wasm';
import { isOffcodeError, OffcodeBaseError } from '@offcode/errors';
import {
  decodeBase64Strict,
  PayloadFormatError,
  ProtocolError,
  parseOfflinePayload,
} from '@offcode/protocol';
import { describe, expect, it } from 'vitest';
import { OffcodeError } from './errors.js';
import { MigrationError } from './storage/migrate.js';
import { StorageError, toStorageError } from './storage/types.js';

const caught = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

const shape = (e: unknown) => {
  expect(e).toBeInstanceOf(OffcodeBaseError);
  expect(isOffcodeError(e)).toBe(true);
  const b = e as OffcodeBaseError;
  return { code: b.code, field: b.field, kind: b.kind, cause: b.cause };
};

describe('every error class extends OffcodeBaseError', () => {
  it('crypto-wasm: OffcodeCryptoError', () => {
    const e = caught(() => getNobleCrypto().nextCounter(3, new Uint8Array(5)));
    expect(e).toBeInstanceOf(OffcodeCryptoError);
    expect(shape(e)).toEqual({ code: 'INVALID_INPUT', field: 'counter', kind: 'input', cause: undefined });
  });

  it('protocol: ProtocolError and PayloadFormatError', () => {
    const e = caught(() => decodeBase64Strict('a b', 'nonce'));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(shape(e)).toEqual({ code: 'INVALID_BASE64', field: 'nonce', kind: 'input', cause: undefined });
    const cause = new Error('inner');
    expect(shape(new ProtocolError('UNSUPPORTED', 'impl', 'no node:crypto', { cause }))).toEqual({
      code: 'UNSUPPORTED',
      field: 'impl',
      kind: 'internal',
      cause,
    });
    const r = parseOfflinePayload('only one line');
    expect(r.ok).toBe(false);
    const p = (r as { error: PayloadFormatError }).error;
    expect(p).toBeInstanceOf(PayloadFormatError);
    expect(shape(p)).toEqual({ code: p.reason, field: null, kind: 'input', cause: undefined });
  });

  it('server: OffcodeError kinds per code, overridable, field from the first issue, cause kept', () => {
    const cause = new Error('low');
    expect(shape(OffcodeError.invalidField('data', 'must be a string'))).toEqual({
      code: 'ERR0024',
      field: 'data',
      kind: 'input',
      cause: undefined,
    });
    expect(shape(new OffcodeError('ERR0008'))).toMatchObject({ kind: 'rejected', field: null });
    expect(shape(new OffcodeError('OFF-0201', undefined, { cause }))).toEqual({
      code: 'OFF-0201',
      field: null,
      kind: 'unavailable',
      cause,
    });
    expect(shape(new OffcodeError('ERR0000')).kind).toBe('internal');
    expect(shape(new OffcodeError('ERR0010', 'stored', { kind: 'internal' })).kind).toBe('internal');
    // No HTTP notion in the server's errors: statuses belong to @offcode/fastify.
    expect('httpStatus' in new OffcodeError('ERR0024')).toBe(false);
  });

  it('server: StorageError (reason busy/unavailable → unavailable, unique/other → internal) and MigrationError', () => {
    const driver = Object.assign(new Error('lock timeout'), { code: '55P03' });
    const busy = toStorageError(driver);
    expect(busy).toBeInstanceOf(StorageError);
    expect(busy.reason).toBe('busy');
    expect(shape(busy)).toEqual({ code: 'STORAGE_BUSY', field: null, kind: 'unavailable', cause: driver });
    const unique = toStorageError(Object.assign(new Error('dup'), { code: '23505', constraint: 'x' }));
    expect(shape(unique)).toMatchObject({ code: 'STORAGE_UNIQUE', kind: 'internal' });
    expect(shape(new MigrationError('checksum mismatch'))).toEqual({
      code: 'MIGRATION_FAILED',
      field: null,
      kind: 'internal',
      cause: undefined,
    });
  });
});
