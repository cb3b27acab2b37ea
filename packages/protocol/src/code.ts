/**
 * Decimal offline codes (crypto.md 3.3, payload.md 7): formatting components, the one decision about a
 * submitted code's shape (`parseSubmittedCode`), the 4x4 display grouping and the normalisation of what a
 * user types (`normalizeTypedCode`). Codes are strings: leading zeros are significant.
 */
import { formatDecimal } from '@offcode/crypto-wasm';
import { PayloadFormatError } from './errors.js';

export interface CodeShape {
  /** Digits per component, 4..8 (default 8). */
  componentLength?: number;
  /** Number of components = factors after possession, 1..3 (default 2: every offline code). */
  factorCount?: number;
}

/**
 * PowerAuth's wire form of a code (`signature` / `authenticationCode`): 1..3 groups of 4..8 ASCII digits
 * joined by `-`. A code of another form is malformed input; one of this form but another shape than the
 * activation's is a wrong code (server.md 1.2).
 */
export const SUBMITTED_CODE_PATTERN = '^[0-9]{4,8}(-[0-9]{4,8}){0,2}$';
const WIRE_FORM = new RegExp(SUBMITTED_CODE_PATTERN);

function checkShape(opts: CodeShape | undefined): { length: number; count: number } {
  const length = opts?.componentLength ?? 8;
  const count = opts?.factorCount ?? 2;
  if (!Number.isInteger(length) || length < 4 || length > 8) {
    throw new PayloadFormatError(
      'INVALID_COMPONENT_LENGTH',
      'componentLength must be an integer from 4 to 8',
    );
  }
  if (!Number.isInteger(count) || count < 1 || count > 3) {
    throw new PayloadFormatError('INVALID_COMPONENT_LENGTH', 'factorCount must be an integer from 1 to 3');
  }
  return { length, count };
}

/** decimal(C, L) of each 32-byte component, joined by `-` (e.g. `81635335-01379301`). */
export function formatDecimalCode(components: readonly Uint8Array[], componentLength = 8): string {
  const { length } = checkShape({ componentLength, factorCount: components.length });
  return components
    .map((c) => {
      if (!(c instanceof Uint8Array) || c.length !== 32) {
        throw new PayloadFormatError('INVALID_COMPONENT_LENGTH', 'each component must be 32 bytes');
      }
      return formatDecimal(c, length);
    })
    .join('-');
}

/** A submitted code checked against a shape: its digits per factor, or why it is not a code of that shape. */
export type SubmittedCode =
  | { ok: true; code: string; components: readonly string[] }
  | {
      ok: false;
      /** True when the text is PowerAuth's wire form (`SUBMITTED_CODE_PATTERN`) but not the asked shape. */
      wellFormed: boolean;
      reason: 'CODE_EMPTY' | 'CODE_INVALID_CHARACTER' | 'CODE_WRONG_LENGTH';
      message: string;
    };

/**
 * The one decision about a submitted code's shape (crypto.md 8.1, server.md 1.2): exactly `factorCount`
 * groups of `componentLength` ASCII digits joined by `-`, nothing else (no spaces, no other separators).
 * Never throws for the code; a shape outside 4..8 / 1..3 is a programming error (`INVALID_COMPONENT_LENGTH`).
 */
export function parseSubmittedCode(code: unknown, shape: CodeShape = {}): SubmittedCode {
  const { length, count } = checkShape(shape);
  const expected = `${count} group${count === 1 ? '' : 's'} of ${length} digits joined by "-"`;
  if (typeof code !== 'string' || code.length === 0)
    return { ok: false, wellFormed: false, reason: 'CODE_EMPTY', message: 'code is empty' };
  const wellFormed = WIRE_FORM.test(code);
  if (!wellFormed && !/^[0-9-]+$/.test(code)) {
    const message = 'code must contain only digits and "-"';
    return { ok: false, wellFormed, reason: 'CODE_INVALID_CHARACTER', message };
  }
  const components = code.split('-');
  if (components.length !== count || components.some((c) => c.length !== length)) {
    return { ok: false, wellFormed, reason: 'CODE_WRONG_LENGTH', message: `code must be ${expected}` };
  }
  return { ok: true, code, components };
}

/** A 2x8 code shown as four groups of four (`1234-5678-9012-3456`); any other string is returned unchanged. */
export function formatCodeForDisplay(code: string): string {
  if (typeof code !== 'string') throw new PayloadFormatError('CODE_EMPTY', 'code must be a string');
  const parsed = parseSubmittedCode(code, { componentLength: 8, factorCount: 2 });
  if (!parsed.ok) return code;
  return parsed.components.map((c) => `${c.slice(0, 4)}-${c.slice(4)}`).join('-');
}

/**
 * Spaces a user may type or paste between digit groups: U+0020, and the no-break / thin spaces that
 * formatted text and some locales put there (U+00A0, U+2007, U+2009, U+202F). Decided in payload.md 7.
 */
const GROUP_SPACES = new Set([' ', '\u00A0', '\u2007', '\u2009', '\u202F']);
/** Removed only at the start and end: the group spaces plus TAB, CR and LF. */
const OUTER_SPACE = /^[ \t\r\n\u00A0\u2007\u2009\u202F]+|[ \t\r\n\u00A0\u2007\u2009\u202F]+$/g;

/**
 * What a user typed (`8064-5777-7477-9172`, `8064 5777 7477 9172`, `80645777-74779172`, with surrounding
 * whitespace) as PowerAuth's submission form `digits-digits` (payload.md 7): outer spaces/TAB/CR/LF removed,
 * every group space and `-` dropped, only ASCII digits allowed, digit count = factorCount x componentLength,
 * regrouped with `-`. Throws only `PayloadFormatError` with a message a user understands: `CODE_EMPTY`
 * ("enter the code"), `CODE_INVALID_CHARACTER` (naming the character and its 1-based position, in code
 * points of the text as typed, also in `position`), `CODE_WRONG_LENGTH` ("enter 16 digits"), or
 * `INVALID_COMPONENT_LENGTH` for a shape outside 4..8 / 1..3.
 */
export function normalizeTypedCode(typed: string, shape: CodeShape = {}): string {
  const { length, count } = checkShape(shape);
  if (typeof typed !== 'string') throw new PayloadFormatError('CODE_EMPTY', 'enter the code');
  const leading = /^[ \t\r\n\u00A0\u2007\u2009\u202F]*/.exec(typed)![0];
  let position = Array.from(leading).length;
  let digits = '';
  for (const ch of typed.replace(OUTER_SPACE, '')) {
    position++;
    if (GROUP_SPACES.has(ch) || ch === '-') continue;
    if (ch < '0' || ch > '9') {
      throw new PayloadFormatError(
        'CODE_INVALID_CHARACTER',
        `character ${JSON.stringify(ch)} at position ${position} is not a digit`,
        { position },
      );
    }
    digits += ch;
  }
  if (digits.length === 0) throw new PayloadFormatError('CODE_EMPTY', 'enter the code');
  const total = length * count;
  if (digits.length !== total) throw new PayloadFormatError('CODE_WRONG_LENGTH', `enter ${total} digits`);
  const groups: string[] = [];
  for (let i = 0; i < count; i++) groups.push(digits.slice(i * length, (i + 1) * length));
  return groups.join('-');
}
