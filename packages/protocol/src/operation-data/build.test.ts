import { describe, expect, it } from 'vitest';
import { PayloadFormatError } from '../errors.js';
import { buildOperationData, paymentOperationData } from './build.js';
import { parseOperationDataOrThrow } from './parse.js';
import type { OperationDataInput } from './types.js';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    if (e instanceof PayloadFormatError) return e.reason;
    throw e;
  }
}

describe('buildOperationData', () => {
  it.each([
    ['1', 'OK', '1'],
    ['0.01', 'OK', '0.01'],
    ['0.010', 'OK', '0.010'],
    ['000123.4', 'OK', '123.4'],
    ['0', 'AMOUNT_NOT_POSITIVE', ''],
    ['0.00', 'AMOUNT_NOT_POSITIVE', ''],
    ['-1', 'AMOUNT_NOT_POSITIVE', ''],
    ['0.001', 'AMOUNT_TOO_PRECISE', ''],
    ['1.2345000', 'AMOUNT_TOO_PRECISE', ''],
    ['.5', 'INVALID_AMOUNT', ''],
    ['1.', 'INVALID_AMOUNT', ''],
    ['1e3', 'INVALID_AMOUNT', ''],
    ['', 'INVALID_AMOUNT', ''],
    [' 1', 'INVALID_AMOUNT', ''],
  ])('amount %j -> %s', (amount, reason, emitted) => {
    const input: OperationDataInput = {
      version: 'A',
      templateId: 1,
      set: [{ position: 1, field: { type: 'amount', amount, currency: 'EUR' } }],
    };
    expect(reasonOf(() => buildOperationData(input))).toBe(reason);
    if (reason === 'OK') expect(buildOperationData(input)).toBe(`A1*A${emitted}EUR`);
  });

  it('reports the field position and runs checks in the documented order', () => {
    try {
      buildOperationData({
        version: 'A',
        templateId: 0,
        set: [
          { position: 3, field: { type: 'date', date: '2020-13-01' } },
          { position: 2, field: { type: 'amount', amount: 'x', currency: 'EUR' } },
        ],
      });
      expect.unreachable();
    } catch (e) {
      expect((e as PayloadFormatError).reason).toBe('INVALID_AMOUNT');
      expect((e as PayloadFormatError).position).toBe(2);
    }
    // A bad position is reported before any field.
    expect(
      reasonOf(() =>
        buildOperationData({
          version: 'A',
          templateId: 0,
          set: [
            { position: 1, field: { type: 'amount', amount: 'x', currency: 'EUR' } },
            { position: 0, field: { type: 'text', text: 'x' } },
          ],
        }),
      ),
    ).toBe('INVALID_POSITION');
    expect(reasonOf(() => buildOperationData({ version: 'AB', templateId: 1 }))).toBe('INVALID_DATA_VERSION');
    expect(reasonOf(() => buildOperationData({ version: 'A', templateId: 1.5 }))).toBe('INVALID_TEMPLATE_ID');
    expect(reasonOf(() => buildOperationData({ version: 'A', templateId: '1' as unknown as number }))).toBe(
      'INVALID_TEMPLATE_ID',
    );
    expect(reasonOf(() => buildOperationData(null as unknown as OperationDataInput))).toBe('MISSING_VERSION');
  });

  it('validates accounts, dates and text types', () => {
    const one = (field: unknown) => () =>
      buildOperationData({ version: 'A', templateId: 0, set: [{ position: 1, field: field as never }] });
    expect(one({ type: 'account', iban: 'CZ65', bic: '' })()).toBe('A0*ICZ65');
    expect(one({ type: 'account', iban: 'CZ65', bic: null })()).toBe('A0*ICZ65');
    expect(reasonOf(one({ type: 'account', iban: 'CZ65', bic: 'gib' }))).toBe('INVALID_ACCOUNT');
    expect(reasonOf(one({ type: 'account', iban: '' }))).toBe('INVALID_ACCOUNT');
    expect(reasonOf(one({ type: 'date', date: '0000-01-01' }))).toBe('INVALID_DATE');
    expect(reasonOf(one({ type: 'date', date: '2024-2-1' }))).toBe('INVALID_DATE');
    expect(one({ type: 'date', date: '2024-02-29' })()).toBe('A0*D20240229');
    expect(reasonOf(one({ type: 'note', text: 42 }))).toBe('INVALID_TEXT');
    expect(reasonOf(one({ type: 'note', text: 'x\uD800' }))).toBe('INVALID_TEXT');
    expect(reasonOf(one({ type: 'iban', text: 'x' }))).toBe('UNKNOWN_FIELD_TYPE');
    expect(one({ type: 'text', text: 'PAYMENT ID3343432434' })()).toBe('A0*TPAYMENT ID3343432434');
  });
});

describe('paymentOperationData', () => {
  it('builds template 1 in canonical positions and parses back', () => {
    const line = paymentOperationData({
      amount: '1250.50',
      currency: 'CZK',
      iban: 'CZ6508000000192000145399',
      reference: '/VS123456',
      dueDate: '2026-01-31',
      note: 'Rent *January*',
    });
    expect(line).toBe('A1*A1250.50CZK*ICZ6508000000192000145399*R/VS123456*D20260131*NRent \\*January\\*');
    const parsed = parseOperationDataOrThrow(line);
    expect(parsed.template).toBe('payment');
    expect(parsed.fields[4]).toEqual({ type: 'note', text: 'Rent *January*' });
    expect(paymentOperationData({ amount: '5', currency: 'EUR', account: '123/0100' })).toBe(
      'A1*A5EUR*Q123/0100',
    );
    expect(paymentOperationData({ amount: '5', currency: 'EUR', account: '1', dueDate: '2026-01-01' })).toBe(
      'A1*A5EUR*Q1**D20260101',
    );
  });

  it('requires amount, currency and an account', () => {
    expect(reasonOf(() => paymentOperationData({ amount: '5', currency: 'EUR' }))).toBe('INVALID_ACCOUNT');
    expect(reasonOf(() => paymentOperationData({ amount: '', currency: 'EUR' }))).toBe('INVALID_AMOUNT');
    expect(reasonOf(() => paymentOperationData({ amount: '5', currency: 'eur', iban: 'X' }))).toBe(
      'INVALID_CURRENCY',
    );
  });
});
