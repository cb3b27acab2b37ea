import { unescapeBackslashes } from '../payload/escape.js';
/**
 * Escape-aware tokenizer of the operation-data line (payload.md 3.2). A backslash and the character after
 * it are one pair that never separates; an unescaped `*` ends a field. Splitting on every `*` and re-gluing
 * after a trailing backslash (the reference tokens' approach) merges `\\*NEXT` into the previous field.
 */
export function tokenizeOperationData(line: string): string[] {
  const tokens: string[] = [];
  let start = 0;
  let i = 0;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i += 2; // the pair is copied as is; a lone trailing backslash simply ends the line
      continue;
    }
    if (c === 0x2a /* * */) {
      tokens.push(line.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  tokens.push(line.slice(start));
  return tokens;
}

/**
 * Single-pass unescape of a text-like field value: `\n` -> LF, `\\` -> `\`, `\*` -> `*`; any other pair and
 * a lone trailing backslash are kept as they are.
 */
export function unescapeFieldText(value: string): string {
  return unescapeBackslashes(value, true);
}
