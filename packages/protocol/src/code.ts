/**
 * Decimal offline codes (crypto.md 3.3, payload.md 7): formatting components, strict parsing of the
 * submission form, the 4x4 display grouping and normalisation of typed input. Codes are strings: leading
 * zeros are significant.
 */
import { formatDecimal } from '@offcode/crypto-wasm';
import { PayloadFormatError } from './errors.js';

export interface CodeShape {
  /** Digits per component, 4..8 (default 8). */
  componentLength?: number;
  /** Number of components, 1..3 (default 2: every offline code). */
  components?: number;
}

function checkShape(opts: CodeShape | undefined): { length: number; count: number } {
  const length = opts?.componentLength ?? 8;
  const count = opts?.components ?? 2;
  if (!Number.isInteger(length) || length < 4 || length > 8) {
    throw new PayloadFormatError(
      'INVALID_COMPONENT_LENGTH',
      'componentLength must be an integer from 4 to 8',
    );
  }
  if (!Number.isInteger(count) || count < 1 || count > 3) {
    throw new PayloadFormatError('INVALID_COMPONENT_LENGTH', 'components must be an integer from 1 to 3');
  }
  return { length, count };
}

/** decimal(C, L) of each 32-byte component, joined by `-` (e.g. `81635335-01379301`). */
export function formatDecimalCode(components: readonly Uint8Array[], componentLength = 8): string {
  const { length } = checkShape({ componentLength, components: components.length });
  return components
    .map((c) => {
      if (!(c instanceof Uint8Array) || c.length !== 32) {
        throw new PayloadFormatError('INVALID_COMPONENT_LENGTH', 'each component must be 32 bytes');
      }
      return formatDecimal(c, length);
    })
    .join('-');
}

/**
 * Strictly parses the submission form `^[0-9]{L}(-[0-9]{L}){components-1}$` (no spaces, no other
 * separators). Throws `CODE_EMPTY`, `CODE_INVALID_CHARACTER` or `CODE_WRONG_LENGTH`.
 */
export function parseDecimalCode(
  code: string,
  opts?: CodeShape,
): { componentLength: number; groups: string[] } {
  const { length, count } = checkShape(opts);
  if (typeof code !== 'string' || code.length === 0)
    throw new PayloadFormatError('CODE_EMPTY', 'code is empty');
  if (!/^[0-9-]+$/.test(code)) {
    throw new PayloadFormatError('CODE_INVALID_CHARACTER', 'code must contain only digits and "-"');
  }
  const groups = code.split('-');
  if (groups.length !== count || groups.some((g) => g.length !== length)) {
    throw new PayloadFormatError(
      'CODE_WRONG_LENGTH',
      `code must be ${count} groups of ${length} digits joined by "-"`,
    );
  }
  return { componentLength: length, groups };
}

/** True when `code` is exactly the submission form for the given shape. */
export function isDecimalCode(code: string, opts?: CodeShape): boolean {
  try {
    parseDecimalCode(code, opts);
    return true;
  } catch (e) {
    if (e instanceof PayloadFormatError && e.reason !== 'INVALID_COMPONENT_LENGTH') return false;
    throw e;
  }
}

/** A 2x8 code shown as four groups of four (`1234-5678-9012-3456`); any other string is returned unchanged. */
export function formatCodeForDisplay(code: string): string {
  if (typeof code !== 'string') throw new PayloadFormatError('CODE_EMPTY', 'code must be a string');
  const m = /^([0-9]{4})([0-9]{4})-([0-9]{4})([0-9]{4})$/.exec(code);
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]}` : code;
}

/**
 * Turns what a user typed into the submission form: outer spaces/TAB/CR/LF removed, every space and `-`
 * dropped, only ASCII digits allowed, digit count = components x componentLength, regrouped with `-`
 * (`1234 5678-9012 3456` -> `12345678-90123456`). Throws `CODE_EMPTY`, `CODE_INVALID_CHARACTER` (naming the
 * character and its 1-based position in the input), `CODE_WRONG_LENGTH` or `INVALID_COMPONENT_LENGTH`.
 */
export function normalizeCodeInput(text: string, opts: CodeShape = {}): string {
  const { length, count } = checkShape(opts);
  if (typeof text !== 'string') throw new PayloadFormatError('CODE_EMPTY', 'enter the code');
  const leading = /^[ \t\r\n]*/.exec(text)![0].length;
  const inner = text.slice(leading).replace(/[ \t\r\n]+$/, '');
  let digits = '';
  let position = Array.from(text.slice(0, leading)).length;
  for (const ch of inner) {
    position++;
    if (ch === ' ' || ch === '-') continue;
    if (ch < '0' || ch > '9') {
      throw new PayloadFormatError(
        'CODE_INVALID_CHARACTER',
        `character ${JSON.stringify(ch)} at position ${position} is not a digit`,
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
