/** fast-check generators of operations and payloads, and the independent text oracle of payload.md 2.2. */
import fc from 'fast-check';
import { hasControlCharacter } from '../src/chars.js';
import type { PayloadFlags } from '../src/flags.js';
import type { OperationField, OperationFieldInput } from '../src/operation-data/types.js';

/** What `unescape(escapeText(s))` must give: CR LF / CR -> LF, TAB/VT/FF -> space, controls dropped, spaces collapsed. */
export function normalizeText(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = ch.charCodeAt(0);
    if (ch === '\r') {
      out += '\n';
      if (s[i + 1] === '\n') i++;
    } else if (ch === '\n') out += '\n';
    else if (ch === '\t' || code === 0x0b || code === 0x0c) out += ' ';
    else if (code <= 0x1f || code === 0x7f) continue;
    else out += ch;
  }
  return out.replace(/ {2,}/g, ' ');
}

const SPECIALS = [
  '\\',
  '\n',
  '\r',
  '\t',
  '\u000b',
  '\u000c',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  ' ',
  '  ',
  '*',
  'n',
  '&',
];
const PLAIN = ['a', 'Z', '0', '9', 'ž', 'Ů', '–', '🙂', '\u00a0', '\u0085', '€', '"', '<', '=', '/'];

/** Text with escapes, line breaks, controls, asterisks, multi-byte and astral characters (may be empty). */
export const textArb = (maxLength = 24) =>
  fc.string({
    unit: fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...SPECIALS) },
      { weight: 3, arbitrary: fc.constantFrom(...PLAIN) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
    ),
    maxLength,
  });

/** Operation IDs: 1..40 characters, no control characters (may contain `&`, `*`, `\` and Unicode). */
export const operationIdArb = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(...PLAIN, '&', '*', '\\', '-', ' '),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 40,
  })
  .filter((s) => !hasControlCharacter(s));

function daysIn(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0); // day 0 of the next month = last day of this month
  return d.getUTCDate();
}

const dateArb = fc
  .record({
    y: fc.integer({ min: 1, max: 9999 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
  })
  .filter(({ y, m, d }) => d <= daysIn(y, m))
  .map(
    ({ y, m, d }) =>
      `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
  );

const amountArb = fc
  .tuple(
    fc.stringMatching(/^[0-9]{1,15}$/),
    fc.option(fc.stringMatching(/^[0-9]{1,2}0{0,2}$/), { nil: undefined }),
  )
  .filter(([int, frac]) => /[1-9]/.test(int + (frac ?? '')))
  .map(([int, frac]) => (frac === undefined ? int : `${int}.${frac}`));

/** A builder field and the field the parser must return for it. */
export interface FieldCase {
  input: OperationFieldInput;
  expected: OperationField;
}

export const fieldArb: fc.Arbitrary<FieldCase> = fc.oneof(
  fc.record({ amount: amountArb, currency: fc.stringMatching(/^[A-Z]{3}$/) }).map(({ amount, currency }) => {
    const [int, frac] = amount.split('.') as [string, string | undefined];
    const canonical = `${int.replace(/^0+/, '') || '0'}${frac === undefined ? '' : `.${frac}`}`;
    return {
      input: { type: 'amount', amount, currency },
      expected: { type: 'amount', amount: canonical, currency },
    } as FieldCase;
  }),
  fc
    .record({
      iban: fc.stringMatching(/^[0-9A-Z]{1,34}$/),
      bic: fc.option(fc.stringMatching(/^[0-9A-Z]{8,11}$/)),
    })
    .map(
      ({ iban, bic }) =>
        ({ input: { type: 'account', iban, bic }, expected: { type: 'account', iban, bic } }) as FieldCase,
    ),
  dateArb.map((date) => ({ input: { type: 'date', date }, expected: { type: 'date', date } }) as FieldCase),
  textArb().map(
    (account) =>
      ({
        input: { type: 'anyAccount', account },
        expected: { type: 'anyAccount', account: normalizeText(account) },
      }) as FieldCase,
  ),
  fc
    .tuple(fc.constantFrom('reference' as const, 'note' as const, 'text' as const), textArb())
    .map(
      ([type, text]) =>
        ({ input: { type, text }, expected: { type, text: normalizeText(text) } }) as FieldCase,
    ),
);

/** A set of 0..5 positioned fields (gaps allowed) and the parsed field list it must give. */
export const operationArb = fc
  .record({
    version: fc.stringMatching(/^[A-Z]$/),
    templateId: fc.integer({ min: 0, max: 99 }),
    entries: fc.uniqueArray(fc.record({ position: fc.integer({ min: 1, max: 5 }), field: fieldArb }), {
      selector: (e) => e.position,
      maxLength: 5,
    }),
  })
  .map(({ version, templateId, entries }) => {
    const highest = Math.max(0, ...entries.map((e) => e.position));
    const expected: OperationField[] = [];
    for (let p = 1; p <= highest; p++) {
      expected.push(entries.find((e) => e.position === p)?.field.expected ?? { type: 'empty' });
    }
    return {
      input: {
        version,
        templateId,
        set: entries.map((e) => ({ position: e.position, field: e.field.input })),
      },
      expectedFields: expected,
    };
  });

export const flagsArb: fc.Arbitrary<PayloadFlags> = fc.record({
  biometricsAllowed: fc.boolean(),
  flipButtons: fc.boolean(),
  fraudWarning: fc.boolean(),
  blockWhenOnCall: fc.boolean(),
});

export const totpArb = fc.option(fc.stringMatching(/^[0-9]{6,8}$/), { nil: undefined });
export const nonceBytesArb = fc.uint8Array({ minLength: 16, maxLength: 16 });
