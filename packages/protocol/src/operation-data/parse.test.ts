import { describe, expect, it } from 'vitest';
import { parseOperationData, parseOperationDataOrThrow } from './parse.js';
import { tokenizeOperationData, unescapeFieldText } from './tokenize.js';

function reasonOf(line: string) {
  const r = parseOperationData(line);
  return r.ok ? 'OK' : r.error.reason;
}

describe('operation-data tokenizer', () => {
  it('keeps escape pairs together and splits on unescaped asterisks only', () => {
    expect(tokenizeOperationData('A1*Tx*Ty')).toEqual(['A1', 'Tx', 'Ty']);
    expect(tokenizeOperationData('A1*Ta\\*b*Tc')).toEqual(['A1', 'Ta\\*b', 'Tc']);
    expect(tokenizeOperationData('A0*Nends\\\\*Tnext')).toEqual(['A0', 'Nends\\\\', 'Tnext']);
    expect(tokenizeOperationData('A0*Tx\\')).toEqual(['A0', 'Tx\\']);
    expect(tokenizeOperationData('A1*')).toEqual(['A1', '']);
    expect(tokenizeOperationData('A1**')).toEqual(['A1', '', '']);
  });

  it('unescapes text fields in one pass', () => {
    expect(unescapeFieldText('a\\nb')).toBe('a\nb');
    expect(unescapeFieldText('C:\\\\new')).toBe('C:\\new');
    expect(unescapeFieldText('\\\\n')).toBe('\\n');
    expect(unescapeFieldText('\\*x\\q\\')).toBe('*x\\q\\');
  });
});

describe('parseOperationData', () => {
  it('parses every field type', () => {
    const d = parseOperationDataOrThrow(
      'A1*A1250.50CZK*ICZ6508000000192000145399,GIBACZPX*Q123\\*45/0100*D20240229*R/VS123*Nnote\\nline',
    );
    expect(d.fields).toEqual([
      { type: 'amount', amount: '1250.50', currency: 'CZK' },
      { type: 'account', iban: 'CZ6508000000192000145399', bic: 'GIBACZPX' },
      { type: 'anyAccount', account: '123*45/0100' },
      { type: 'date', date: '2024-02-29' },
      { type: 'reference', text: '/VS123' },
      { type: 'note', text: 'note\nline' },
    ]);
    expect(parseOperationDataOrThrow('A0*Tt**').fields).toEqual([
      { type: 'text', text: 't' },
      { type: 'empty' },
      { type: 'empty' },
    ]);
  });

  it('keeps unknown fields, templates and versions', () => {
    const d = parseOperationDataOrThrow('Z77*X\\*y*🙂smile*Tz');
    expect(d.version).toBe('VX');
    expect(d.versionLetter).toBe('Z');
    expect(d.templateId).toBe(77);
    expect(d.template).toBe('generic');
    expect(d.fields).toEqual([
      { type: 'fallback', fieldType: 'X', text: '*y' },
      { type: 'fallback', fieldType: '🙂', text: 'smile' },
      { type: 'text', text: 'z' },
    ]);
    expect(parseOperationDataOrThrow('A2').template).toBe('login');
    expect(parseOperationDataOrThrow('A2').fields).toEqual([]);
    expect(parseOperationDataOrThrow('A0*T1*T2*T3*T4*T5*T6').fields.length).toBe(6);
  });

  it.each([
    ['', 'MISSING_OPERATION_DATA'],
    ['*A1', 'INVALID_DATA_VERSION'],
    ['a1', 'INVALID_DATA_VERSION'],
    ['11', 'INVALID_DATA_VERSION'],
    ['Á1', 'INVALID_DATA_VERSION'],
    ['A', 'INVALID_TEMPLATE_ID'],
    ['A100', 'INVALID_TEMPLATE_ID'],
    ['A+1', 'INVALID_TEMPLATE_ID'],
    ['A 1', 'INVALID_TEMPLATE_ID'],
    ['A1 ', 'INVALID_TEMPLATE_ID'],
    ['A1*T*T*T*T*T*T*T', 'TOO_MANY_FIELDS'],
    ['A1*A.CZK', 'INVALID_AMOUNT'],
    ['A1*A1 000CZK', 'INVALID_AMOUNT'],
    ['A1*A1,5CZK', 'INVALID_AMOUNT'],
    ['A1*A100CZ1', 'INVALID_CURRENCY'],
    ['A1*A100ČZK', 'INVALID_CURRENCY'],
    ['A1*ICZ 12', 'INVALID_ACCOUNT'],
    ['A1*I', 'INVALID_ACCOUNT'],
    ['A1*D20230230', 'INVALID_DATE'],
    ['A1*D00000101', 'INVALID_DATE'],
    ['A1*D20231301', 'INVALID_DATE'],
    ['A1*D2023010１', 'INVALID_DATE'],
    ['A1*Tx\ny', 'INVALID_LINE_BREAK'],
  ])('%j -> %s', (line, reason) => {
    expect(reasonOf(line)).toBe(reason);
  });

  it('accepts leap days correctly', () => {
    expect(reasonOf('A1*D20000229')).toBe('OK');
    expect(reasonOf('A1*D21000229')).toBe('INVALID_DATE');
    expect(reasonOf('A1*D99991231')).toBe('OK');
  });

  it('returns canonical amount strings', () => {
    const amount = (v: string) => {
      const f = parseOperationDataOrThrow(`A1*A${v}EUR`).fields[0]!;
      return f.type === 'amount' ? f.amount : null;
    };
    expect(amount('007.50')).toBe('7.50');
    expect(amount('.325')).toBe('0.325');
    expect(amount('-0.00')).toBe('0.00');
    expect(amount('-000')).toBe('0');
    expect(amount('-007.10')).toBe('-7.10');
    expect(amount('12345678901234567890.123456789')).toBe('12345678901234567890.123456789');
  });

  it('reports the field position', () => {
    const r = parseOperationData('A1*Tx**D2023');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.position).toBe(3);
    expect(r.error.line).toBe(3);
  });
});
