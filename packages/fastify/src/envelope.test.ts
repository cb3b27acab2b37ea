import { OffcodeError } from '@offcode/server';
import { describe, expect, it } from 'vitest';
import { errorEnvelope, okEnvelope, unwrapRequestObject } from './envelope.js';

describe('envelope', () => {
  it('wraps results and errors', () => {
    expect(okEnvelope({ a: 1 })).toEqual({ status: 'OK', responseObject: { a: 1 } });
    expect(errorEnvelope('ERR0024', 'x - bad')).toEqual({
      status: 'ERROR',
      responseObject: { code: 'ERR0024', message: 'x - bad', localizedMessage: 'x - bad' },
    });
  });

  it('fieldless methods accept absent body, {} and {"requestObject":{}} (and null)', () => {
    for (const body of [undefined, {}, { requestObject: {} }, { requestObject: null }]) {
      expect(unwrapRequestObject(body, true)).toEqual({});
    }
  });

  it('other methods need a requestObject; it is handed over as it is (the schema validates it)', () => {
    for (const body of [undefined, {}, { requestObject: null }]) {
      expect(() => unwrapRequestObject(body, false)).toThrow(OffcodeError);
      try {
        unwrapRequestObject(body, false);
      } catch (e) {
        expect((e as OffcodeError).field).toBe('requestObject');
      }
    }
    expect(unwrapRequestObject({ requestObject: 'text' }, false)).toBe('text');
    expect(unwrapRequestObject({ requestObject: { a: 1 }, extra: true }, false)).toEqual({ a: 1 });
    for (const body of [[], 1, 'x', true, null]) {
      expect(() => unwrapRequestObject(body, true)).toThrow(/body - must be a JSON object/);
    }
  });
});
