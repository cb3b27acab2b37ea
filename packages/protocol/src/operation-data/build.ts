/** Operation-data builder (payload.md 3.6): validated fields in fixed positions, escaped text. */
import { PayloadFormatError, type PayloadReason } from '../errors.js';
import { escapeText } from '../payload/escape.js';
import type { OperationDataInput, OperationFieldInput } from './types.js';
import { BUILDER_AMOUNT, compactIsoDate, IBAN_OR_BIC } from './values.js';

/** Highest field position the builder emits (the documented limit of version A). */
export const MAX_BUILDER_POSITION = 5;

function fail(reason: PayloadReason, message: string, position?: number): PayloadFormatError {
  return new PayloadFormatError(
    reason,
    position === undefined ? message : `field ${position}: ${message}`,
    position === undefined ? {} : { position },
  );
}

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null;
}

function buildAmount(amount: unknown, position: number): string {
  if (typeof amount !== 'string' || !BUILDER_AMOUNT.test(amount)) {
    throw fail(
      'INVALID_AMOUNT',
      'amount must be a decimal string such as "1250.50" (numbers are refused)',
      position,
    );
  }
  if (amount.startsWith('-') || /^[0.]+$/.test(amount)) {
    throw fail('AMOUNT_NOT_POSITIVE', 'amount must be greater than zero', position);
  }
  const dot = amount.indexOf('.');
  const fraction = dot < 0 ? '' : amount.slice(dot + 1).replace(/0+$/, '');
  if (fraction.length > 2)
    throw fail('AMOUNT_TOO_PRECISE', 'amount must have at most 2 significant decimals', position);
  const intPart = (dot < 0 ? amount : amount.slice(0, dot)).replace(/^0+/, '') || '0';
  return dot < 0 ? intPart : `${intPart}${amount.slice(dot)}`;
}

function buildText(text: unknown, position: number): string {
  if (typeof text !== 'string') throw fail('INVALID_TEXT', 'text must be a string', position);
  try {
    return escapeText(text).replace(/\*/g, '\\*');
  } catch (e) {
    if (e instanceof PayloadFormatError)
      throw fail('INVALID_TEXT', 'text must not contain lone UTF-16 surrogates', position);
    throw e;
  }
}

function buildField(field: OperationFieldInput, position: number): string {
  if (field === null || typeof field !== 'object')
    throw fail('UNKNOWN_FIELD_TYPE', 'field must be an object', position);
  const f = field as Record<string, unknown>;
  switch (f.type) {
    case 'amount': {
      const amount = buildAmount(f.amount, position);
      if (typeof f.currency !== 'string' || !/^[A-Z]{3}$/.test(f.currency)) {
        throw fail('INVALID_CURRENCY', 'currency must be 3 upper-case letters (ISO 4217)', position);
      }
      return `A${amount}${f.currency}`;
    }
    case 'account': {
      if (typeof f.iban !== 'string' || !IBAN_OR_BIC.test(f.iban)) {
        throw fail('INVALID_ACCOUNT', 'iban must be upper-case letters and digits', position);
      }
      // An absent or empty BIC is omitted (forms and databases commonly hand over '').
      if (isAbsent(f.bic) || f.bic === '') return `I${f.iban}`;
      if (typeof f.bic !== 'string' || !IBAN_OR_BIC.test(f.bic)) {
        throw fail('INVALID_ACCOUNT', 'bic must be upper-case letters and digits', position);
      }
      return `I${f.iban},${f.bic}`;
    }
    case 'date': {
      const compact = compactIsoDate(f.date);
      if (compact === null)
        throw fail('INVALID_DATE', 'date must be a real date written YYYY-MM-DD', position);
      return `D${compact}`;
    }
    case 'anyAccount':
      return `Q${buildText(f.account, position)}`;
    case 'reference':
      return `R${buildText(f.text, position)}`;
    case 'note':
      return `N${buildText(f.text, position)}`;
    case 'text':
      return `T${buildText(f.text, position)}`;
    default:
      throw fail(
        'UNKNOWN_FIELD_TYPE',
        'field type must be amount, account, anyAccount, date, reference, note or text',
        position,
      );
  }
}

/**
 * Builds the operation-data line (payload line 3). Checks run in this order: version, template, positions
 * in `set` order, then fields by ascending position. Throws `PayloadFormatError`.
 */
export function buildOperationData(input: OperationDataInput): string {
  if (input === null || typeof input !== 'object') throw fail('MISSING_VERSION', 'version is required');
  const { version, templateId, set } = input;
  if (isAbsent(version)) throw fail('MISSING_VERSION', 'version is required');
  if (typeof version !== 'string' || !/^[A-Z]$/.test(version)) {
    throw fail('INVALID_DATA_VERSION', 'version must be one letter A-Z');
  }
  if (isAbsent(templateId)) throw fail('MISSING_TEMPLATE_ID', 'templateId is required');
  if (typeof templateId !== 'number' || !Number.isInteger(templateId) || templateId < 0 || templateId > 99) {
    throw fail('INVALID_TEMPLATE_ID', 'templateId must be an integer from 0 to 99');
  }
  const entries = set ?? [];
  if (!Array.isArray(entries)) throw fail('INVALID_POSITION', 'set must be an array of { position, field }');
  const byPosition = new Map<number, OperationFieldInput>();
  for (const entry of entries) {
    const position = (entry as { position?: unknown } | null)?.position;
    if (
      typeof position !== 'number' ||
      !Number.isInteger(position) ||
      position < 1 ||
      position > MAX_BUILDER_POSITION
    ) {
      throw fail('INVALID_POSITION', `position must be an integer from 1 to ${MAX_BUILDER_POSITION}`);
    }
    byPosition.set(position, entry.field);
  }
  const highest = Math.max(0, ...byPosition.keys());
  const parts = [`${version}${templateId}`];
  for (let position = 1; position <= highest; position++) {
    const field = byPosition.get(position);
    parts.push(field === undefined ? '' : buildField(field, position));
  }
  return parts.join('*');
}

/** Input of `paymentOperationData` (template 1 in its canonical positions). */
export interface PaymentOperationInput {
  amount: string;
  currency: string;
  iban?: string;
  bic?: string | null;
  /** Any account text (`Q` field), used when `iban` is not given. */
  account?: string;
  reference?: string;
  /** `YYYY-MM-DD`. */
  dueDate?: string;
  note?: string;
  version?: string;
}

/**
 * Template 1 (payment): 1 amount, 2 `I` (when `iban` is given) or `Q` (from `account`), 3 reference, 4 due
 * date, 5 note. `amount`, `currency` and one of `iban` / `account` are required.
 */
export function paymentOperationData(input: PaymentOperationInput): string {
  if (input === null || typeof input !== 'object') throw fail('INVALID_AMOUNT', 'amount is required', 1);
  const set: { position: number; field: OperationFieldInput }[] = [
    { position: 1, field: { type: 'amount', amount: input.amount, currency: input.currency } },
  ];
  if (!isAbsent(input.iban)) {
    set.push({ position: 2, field: { type: 'account', iban: input.iban as string, bic: input.bic ?? null } });
  } else if (!isAbsent(input.account)) {
    set.push({ position: 2, field: { type: 'anyAccount', account: input.account as string } });
  } else {
    // Validate the amount first so that the reported reason follows the position order.
    buildOperationData({ version: input.version ?? 'A', templateId: 1, set });
    throw fail('INVALID_ACCOUNT', 'a payment needs iban or account', 2);
  }
  if (!isAbsent(input.reference))
    set.push({ position: 3, field: { type: 'reference', text: input.reference as string } });
  if (!isAbsent(input.dueDate))
    set.push({ position: 4, field: { type: 'date', date: input.dueDate as string } });
  if (!isAbsent(input.note)) set.push({ position: 5, field: { type: 'note', text: input.note as string } });
  return buildOperationData({ version: input.version ?? 'A', templateId: 1, set });
}
