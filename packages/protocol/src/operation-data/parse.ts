/** Operation-data parser (payload.md 3): strict header, escape-aware fields, forward compatible. */
import { PayloadFormatError, quote, type Result } from '../errors.js';
import { tokenizeOperationData, unescapeFieldText } from './tokenize.js';
import type { OperationData, OperationField, TemplateName } from './types.js';
import { ACCOUNT, canonicalAmount, PARSED_AMOUNT, parseCompactDate } from './values.js';

/** Most fields after the header the parser accepts (the builder emits at most 5). */
export const MAX_PARSED_FIELDS = 6;

/** Payload line that holds the operation data (for error locations). */
const LINE = 3;

export function templateName(templateId: number): TemplateName {
  if (templateId === 1) return 'payment';
  if (templateId === 2) return 'login';
  return 'generic';
}

function fail(reason: PayloadFormatError['reason'], message: string, position?: number): PayloadFormatError {
  return new PayloadFormatError(
    reason,
    `line ${LINE + 1}: ${position === undefined ? '' : `field ${position}: `}${message}`,
    position === undefined ? { line: LINE } : { line: LINE, position },
  );
}

function parseField(token: string, position: number): OperationField | PayloadFormatError {
  if (token.length === 0) return { type: 'empty' };
  const type = String.fromCodePoint(token.codePointAt(0)!);
  const value = token.slice(type.length);
  switch (type) {
    case 'A': {
      if (value.length < 4)
        return fail(
          'INVALID_AMOUNT',
          'amount must be a decimal number followed by a 3-letter currency',
          position,
        );
      const currency = value.slice(-3);
      const number = value.slice(0, -3);
      if (!/^[A-Za-z]{3}$/.test(currency))
        return fail('INVALID_CURRENCY', `currency ${quote(currency)} must be 3 letters`, position);
      if (!PARSED_AMOUNT.test(number))
        return fail('INVALID_AMOUNT', `amount ${quote(number)} is not a plain decimal number`, position);
      return { type: 'amount', amount: canonicalAmount(number), currency: currency.toUpperCase() };
    }
    case 'I': {
      const m = ACCOUNT.exec(value);
      if (!m)
        return fail(
          'INVALID_ACCOUNT',
          'account must be IBAN[,BIC] of upper-case letters and digits',
          position,
        );
      return { type: 'account', iban: m[1]!, bic: m[2] ? m[2] : null };
    }
    case 'D': {
      const date = parseCompactDate(value);
      if (date === null)
        return fail('INVALID_DATE', `date ${quote(value)} must be a real date YYYYMMDD`, position);
      return { type: 'date', date };
    }
    case 'Q':
      return { type: 'anyAccount', account: unescapeFieldText(value) };
    case 'R':
      return { type: 'reference', text: unescapeFieldText(value) };
    case 'N':
      return { type: 'note', text: unescapeFieldText(value) };
    case 'T':
      return { type: 'text', text: unescapeFieldText(value) };
    default:
      return { type: 'fallback', fieldType: type, text: unescapeFieldText(value) };
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v !== null && typeof v === 'object') deepFreeze(v);
  return Object.freeze(value);
}

/** Parses line 3 alone, returning a typed failure instead of throwing. */
export function parseOperationData(line: string): Result<OperationData> {
  if (typeof line !== 'string')
    return { ok: false, error: fail('MISSING_OPERATION_DATA', 'operation data must be a string') };
  if (line.length === 0)
    return { ok: false, error: fail('MISSING_OPERATION_DATA', 'operation data must not be empty') };
  if (line.includes('\n') || line.includes('\r')) {
    return { ok: false, error: fail('INVALID_LINE_BREAK', 'operation data must not contain line breaks') };
  }
  const tokens = tokenizeOperationData(line);
  const header = tokens[0]!;
  const letter = header.charCodeAt(0);
  if (!(letter >= 0x41 && letter <= 0x5a)) {
    return {
      ok: false,
      error: fail('INVALID_DATA_VERSION', 'operation data must start with a version letter A-Z'),
    };
  }
  const template = header.slice(1);
  if (!/^[0-9]{1,2}$/.test(template)) {
    return {
      ok: false,
      error: fail('INVALID_TEMPLATE_ID', `template ${quote(template)} must be 1 or 2 digits`),
    };
  }
  const count = tokens.length - 1;
  if (count > MAX_PARSED_FIELDS) {
    return {
      ok: false,
      error: fail(
        'TOO_MANY_FIELDS',
        `operation data has ${count} fields, at most ${MAX_PARSED_FIELDS} are allowed`,
      ),
    };
  }
  const fields: OperationField[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const field = parseField(tokens[i]!, i);
    if (field instanceof PayloadFormatError) return { ok: false, error: field };
    fields.push(field);
  }
  const templateId = Number(template);
  const versionLetter = header[0]!;
  return {
    ok: true,
    value: deepFreeze({
      version: versionLetter === 'A' ? 'V1' : 'VX',
      versionLetter,
      templateId,
      template: templateName(templateId),
      sourceString: line,
      fields,
    }),
  };
}

/** Like `parseOperationData`, but throws the `PayloadFormatError`. */
export function parseOperationDataOrThrow(line: string): OperationData {
  const result = parseOperationData(line);
  if (!result.ok) throw result.error;
  return result.value;
}
