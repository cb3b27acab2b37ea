/**
 * The kinds of setting values (server.md §4): each one parses a text, states its rule in the error message and
 * describes itself for the reference table.
 */
import { tryDecodeBase64Strict } from '@offcode/protocol';
import type { SettingKind, SettingParse } from './declare.js';

const ok = <T>(value: T): SettingParse<T> => ({ ok: true, value });
const fail = <T>(rule: string, part?: string): SettingParse<T> => ({
  ok: false,
  problems: [part === undefined ? { rule } : { rule, part }],
});

const DIGITS = /^[0-9]+$/;

/** Decimal digits only (no sign, no spaces, no exponent), as a safe integer in `min..max`. */
export function integer(min: number, max: number, options: { orZero?: boolean } = {}): SettingKind<number> {
  const range = `${min}..${max}`;
  const rule = options.orZero ? `must be 0 or an integer in ${range}` : `must be an integer in ${range}`;
  return {
    describe: options.orZero ? `0 or integer ${range}` : `integer ${range}`,
    parse(text) {
      const n = DIGITS.test(text) ? Number(text) : Number.NaN;
      if (Number.isSafeInteger(n) && ((n >= min && n <= max) || (options.orZero && n === 0))) return ok(n);
      return fail(rule);
    },
  };
}

/** A decimal number (`1`, `1.5`) in `min..max`. */
export function decimal(min: number, max: number): SettingKind<number> {
  return {
    describe: `decimal ${min}..${max}`,
    parse(text) {
      const n = /^[0-9]+(?:\.[0-9]+)?$/.test(text) ? Number(text) : Number.NaN;
      return n >= min && n <= max ? ok(n) : fail(`must be a number in ${min}..${max}`);
    },
  };
}

/** Exactly `true` or `false`. */
export const boolean: SettingKind<boolean> = {
  describe: '`true` or `false`',
  parse: (text) =>
    text === 'true' || text === 'false' ? ok(text === 'true') : fail('must be true or false'),
};

/** One of the listed words, exactly. */
export function oneOf<const T extends string>(values: readonly T[]): SettingKind<T> {
  return {
    describe: values.map((v) => `\`${v}\``).join(' \\| '),
    parse: (text) =>
      (values as readonly string[]).includes(text)
        ? ok(text as T)
        : fail(`must be one of ${values.join('|')}`),
  };
}

/** A non-empty comma list of some of `values` (spaces around items allowed), deduplicated, in `values` order. */
export function subsetOf<const T extends string | number>(values: readonly T[]): SettingKind<T[]> {
  const words = values.map(String);
  return {
    describe: `comma list of ${words.map((w) => `\`${w}\``).join(', ')}`,
    parse(text) {
      const items = text.split(',').map((s) => s.trim());
      if (items.some((s) => !words.includes(s)))
        return fail(`must be a comma list of ${words.join(' and/or ')}`);
      return ok(values.filter((v) => items.includes(String(v))));
    },
  };
}

/** Strict Base64 (crypto.md 1.1) of exactly `length` bytes. */
export function base64Key(length: number): SettingKind<Uint8Array> {
  return {
    describe: `Base64 of ${length} bytes`,
    parse(text) {
      const bytes = tryDecodeBase64Strict(text);
      return bytes && bytes.length === length ? ok(bytes) : fail(`must be Base64 of exactly ${length} bytes`);
    },
  };
}

/** A text that passes `test`; `rule` says what it must be. */
export function text(describe: string, rule: string, test: (value: string) => boolean): SettingKind<string> {
  return { describe, parse: (value) => (test(value) ? ok(value) : fail(rule)) };
}

/**
 * A comma list of `item` values: every bad item is its own problem (`item 2 must be …`, showing that item).
 * `trim` removes spaces around items before parsing.
 */
export function listOf<T>(item: SettingKind<T>, options: { trim?: boolean } = {}): SettingKind<T[]> {
  return {
    describe: `comma list of ${item.describe}`,
    parse(value) {
      const out: T[] = [];
      const problems: { rule: string; part: string }[] = [];
      value.split(',').forEach((raw, index) => {
        const part = options.trim ? raw.trim() : raw;
        const parsed = item.parse(part);
        if (parsed.ok) out.push(parsed.value);
        else
          for (const p of parsed.problems) problems.push({ rule: `item ${index + 1} ${p.rule}`, part: raw });
      });
      return problems.length > 0 ? { ok: false, problems } : ok(out);
    },
  };
}
