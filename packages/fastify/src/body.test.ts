import { OffcodeError } from '@offcode/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJsonContentType, parseJsonBody } from './body.js';

const JSON_TYPE = 'application/json';

function expectBodyError(fn: () => unknown, part: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OffcodeError);
    expect((error as OffcodeError).code).toBe('ERR0024');
    expect((error as OffcodeError).field).toBe('body');
    expect((error as OffcodeError).message).toContain(part);
    return;
  }
  throw new Error('expected an ERR0024 body error');
}

describe('parseJsonBody', () => {
  it('parses JSON documents and treats an absent or blank body as absent', () => {
    expect(parseJsonBody(Buffer.from('{"requestObject":{"a":1}}'), JSON_TYPE)).toEqual({
      requestObject: { a: 1 },
    });
    expect(parseJsonBody(Buffer.from('[1]'), 'Application/JSON; Charset=UTF-8')).toEqual([1]);
    expect(parseJsonBody(undefined, undefined)).toBeUndefined();
    expect(parseJsonBody(Buffer.alloc(0), 'text/plain')).toBeUndefined();
    expect(parseJsonBody(Buffer.from(' \n '), JSON_TYPE)).toBeUndefined();
  });

  it('refuses other content types, invalid UTF-8, invalid JSON and prototype keys at any depth', () => {
    expectBodyError(() => parseJsonBody(Buffer.from('{}'), undefined), 'Content-Type');
    expectBodyError(() => parseJsonBody(Buffer.from('{}'), 'text/json'), 'Content-Type');
    expectBodyError(
      () => parseJsonBody(Buffer.from('{}'), 'application/json; charset=iso-8859-1'),
      'Content-Type',
    );
    expectBodyError(() => parseJsonBody(Buffer.from([0x22, 0xc3, 0x28, 0x22]), JSON_TYPE), 'UTF-8');
    expectBodyError(() => parseJsonBody(Buffer.from('{"a":}'), JSON_TYPE), 'valid JSON');
    expectBodyError(() => parseJsonBody(Buffer.from('\ufeff{}'), JSON_TYPE), 'valid JSON');
    expectBodyError(
      () => parseJsonBody(Buffer.from('{"a":[{"b":{"__proto__":{}}}]}'), JSON_TYPE),
      '__proto__',
    );
    expectBodyError(() => parseJsonBody(Buffer.from('{"constructor":1}'), JSON_TYPE), 'constructor');
    expectBodyError(() => parseJsonBody(Buffer.from('{"prototype":1}'), JSON_TYPE), 'prototype');
    expectBodyError(() => parseJsonBody(Buffer.from('['.repeat(100_000)), JSON_TYPE), 'valid JSON');
  });

  it('property: any bytes and any content type give a value, undefined or ERR0024 naming body — nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v) ?? '')),
        ),
        fc.option(fc.oneof(fc.constant(JSON_TYPE), fc.string({ maxLength: 40 })), { nil: undefined }),
        (bytes, type) => {
          try {
            parseJsonBody(Buffer.from(bytes), type);
          } catch (error) {
            expect(error).toBeInstanceOf(OffcodeError);
            expect((error as OffcodeError).field).toBe('body');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: every JSON value without prototype keys round-trips', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        if (/"(__proto__|constructor|prototype)":/.test(text)) return;
        expect(parseJsonBody(Buffer.from(text), JSON_TYPE)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('isJsonContentType', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('application/json;charset="utf-8"')).toBe(true);
    expect(isJsonContentType('application/json; boundary=x')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});
