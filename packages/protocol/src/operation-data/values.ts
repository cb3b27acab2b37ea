/**
 * Value rules shared by the operation-data parser and builder (payload.md 3.4 and 3.6). Amounts stay
 * decimal strings and dates stay calendar strings: never `Number` (precision, hex, exponents, '' -> 0) and
 * never `Date` (time zones shift the day, '20180425' is silently invalid).
 */

/** Parser syntax of the number part of an amount. */
export const PARSED_AMOUNT = /^-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$/;
/** Builder syntax of an amount. */
export const BUILDER_AMOUNT = /^-?[0-9]+(?:\.[0-9]+)?$/;
export const ACCOUNT = /^([0-9A-Z]+)(?:,([0-9A-Z]*))?$/;
export const IBAN_OR_BIC = /^[0-9A-Z]+$/;

/**
 * Canonical decimal string: leading zeros of the integer part removed (one `0` kept), fraction digits kept
 * exactly, sign dropped when every digit is zero. Input must already match PARSED_AMOUNT.
 */
export function canonicalAmount(number: string): string {
  const negative = number.startsWith('-');
  const unsigned = negative ? number.slice(1) : number;
  const dot = unsigned.indexOf('.');
  const intPart = dot < 0 ? unsigned : unsigned.slice(0, dot);
  const fraction = dot < 0 ? '' : unsigned.slice(dot);
  const trimmed = intPart.replace(/^0+/, '') || '0';
  const zero = /^[0.]*$/.test(unsigned);
  return `${negative && !zero ? '-' : ''}${trimmed}${fraction}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True for a real Gregorian date, year 0001-9999. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return (
    year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

/** `YYYYMMDD` -> `YYYY-MM-DD`, or null when not exactly 8 digits forming a real date. */
export function parseCompactDate(value: string): string | null {
  if (!/^[0-9]{8}$/.test(value)) return null;
  const y = Number(value.slice(0, 4));
  const m = Number(value.slice(4, 6));
  const d = Number(value.slice(6, 8));
  if (!isCalendarDate(y, m, d)) return null;
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

/** `YYYY-MM-DD` -> `YYYYMMDD`, or null when not a real date in that exact form. */
export function compactIsoDate(value: unknown): string | null {
  if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return null;
  const compact = value.slice(0, 4) + value.slice(5, 7) + value.slice(8, 10);
  return parseCompactDate(compact) === null ? null : compact;
}
