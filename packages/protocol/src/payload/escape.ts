/** Title and message escaping (payload.md 2). */
import { isWellFormedString } from '../base64.js';
import { removeControlCharacters } from '../chars.js';
import { PayloadFormatError } from '../errors.js';

/**
 * Issuer side (payload.md 2.2): `\` -> `\\`; CR LF, CR and LF -> `\n`; TAB, VT, FF -> space; other C0 controls
 * and DEL removed; runs of spaces collapsed; no trimming. Everything else (any Unicode, upper case, `*`) is
 * kept: unlike the PowerAuth normaliser, all-caps values such as `PAYMENT` are not emptied.
 * Throws `INVALID_TEXT` for a non-string or a string with lone surrogates (it has no UTF-8 form).
 */
export function escapeText(s: string): string {
  if (typeof s !== 'string') throw new PayloadFormatError('INVALID_TEXT', 'text must be a string');
  if (!isWellFormedString(s)) {
    throw new PayloadFormatError('INVALID_TEXT', 'text must not contain lone UTF-16 surrogates');
  }
  const steps = s
    .replace(/\\/g, '\\\\')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\t\v\f]/g, ' ');
  return removeControlCharacters(steps).replace(/ {2,}/g, ' ');
}

/**
 * Token side (payload.md 2.3), one pass: `\n` -> LF, `\\` -> `\`; any other backslash pair (including `\*`)
 * and a lone trailing backslash are kept. A two-pass replace would turn `\\n` (the text `\n`) into `\` + LF.
 */
export function unescapeText(s: string): string {
  return unescapeBackslashes(s, false);
}

/**
 * The one-pass unescape shared by title/message text and operation-data text fields: `\n` -> LF, `\\` -> `\`,
 * and `\*` -> `*` where `star` is set (operation data); other pairs and a lone trailing backslash are kept.
 */
export function unescapeBackslashes(s: string, star: boolean): string {
  if (!s.includes('\\')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      const next = s[i + 1]!;
      if (next === 'n') out += '\n';
      else if (next === '\\') out += '\\';
      else if (star && next === '*') out += '*';
      else out += c + next;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
