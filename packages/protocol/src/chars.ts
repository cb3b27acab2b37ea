/** C0 control characters and DEL (U+0000-U+001F, U+007F), without control characters in regex literals. */

export function isControlCode(code: number): boolean {
  return code <= 0x1f || code === 0x7f;
}

export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isControlCode(s.charCodeAt(i))) return true;
  return false;
}

export function removeControlCharacters(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (isControlCode(s.charCodeAt(i))) {
      out += s.slice(start, i);
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}
