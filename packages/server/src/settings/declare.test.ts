import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineSettings, parseSettings, setting } from './declare.js';
import { base64Key, boolean, decimal, integer, listOf, oneOf, subsetOf, text } from './kinds.js';
import { renderSettingsTable, settingsOf } from './reference.js';
import { SERVER_SETTINGS } from './server-settings.js';

const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

/** The text form of a default, as an operator would write it in the environment. */
function asText(value: unknown): string | null {
  if (value === null || value instanceof Uint8Array) return null;
  if (Array.isArray(value)) return value.length === 0 ? null : value.join(',');
  return String(value);
}

describe('settings declarations', () => {
  it('every written-out default of the server table parses to itself with its own kind', () => {
    for (const d of settingsOf(SERVER_SETTINGS)) {
      const t = asText(d.default);
      if (t === null || (t === '' && d.name === 'OFFCODE_ENVIRONMENT')) continue;
      expect(d.kind.parse(t), d.name).toEqual({ ok: true, value: d.default });
    }
  });

  it('every setting has a name, an owner, a meaning and a default written down', () => {
    for (const d of settingsOf(SERVER_SETTINGS)) {
      expect(d.name).toMatch(/^(?:OFFCODE_[A-Z0-9_]+|DATABASE_URL)$/);
      expect(d.owner).toBe('@offcode/server');
      expect(d.meaning.length).toBeGreaterThan(5);
      expect(d.defaultText.length).toBeGreaterThan(0);
    }
  });

  it('kinds: the rule of each kind and its edge values', () => {
    expect(integer(1, 64).parse('64')).toEqual({ ok: true, value: 64 });
    expect(integer(1, 64).parse('065')).toEqual({
      ok: false,
      problems: [{ rule: 'must be an integer in 1..64' }],
    });
    expect(integer(1, 64).parse('1e1').ok).toBe(false);
    expect(integer(0, 2 ** 60).parse('9007199254740993').ok).toBe(false);
    expect(integer(1000, 2000, { orZero: true }).parse('0')).toEqual({ ok: true, value: 0 });
    expect(integer(1000, 2000, { orZero: true }).parse('1')).toEqual({
      ok: false,
      problems: [{ rule: 'must be 0 or an integer in 1000..2000' }],
    });
    expect(decimal(1, 10).parse('1.25')).toEqual({ ok: true, value: 1.25 });
    expect(decimal(1, 10).parse('.5').ok).toBe(false);
    expect(boolean.parse('TRUE').ok).toBe(false);
    expect(oneOf(['a', 'b']).parse('b')).toEqual({ ok: true, value: 'b' });
    expect(oneOf(['a', 'b']).describe).toBe('`a` \\| `b`');
    expect(subsetOf([3, 4]).parse(' 4 , 3,4')).toEqual({ ok: true, value: [3, 4] });
    expect(subsetOf([3, 4]).parse('3,,4')).toEqual({
      ok: false,
      problems: [{ rule: 'must be a comma list of 3 and/or 4' }],
    });
    expect(base64Key(32).parse(KEY).ok).toBe(true);
    expect(base64Key(32).parse(KEY.slice(4)).ok).toBe(false);
    expect(text('t', 'must be short', (v) => v.length < 3).parse('abc')).toEqual({
      ok: false,
      problems: [{ rule: 'must be short' }],
    });
    expect(listOf(base64Key(32), { trim: true }).parse(`${KEY}, x ,${KEY},y`)).toEqual({
      ok: false,
      problems: [
        { rule: 'item 2 must be Base64 of exactly 32 bytes', part: ' x ' },
        { rule: 'item 4 must be Base64 of exactly 32 bytes', part: 'y' },
      ],
    });
  });

  it('parseSettings: aliases, empty-is-unset, given keys, echo cut at 40 characters, secrets not shown', () => {
    const table = defineSettings({
      port: setting({
        name: 'X_PORT',
        aliases: ['PORT'],
        kind: integer(0, 9),
        default: 1,
        meaning: 'm',
        owner: 'o',
      }),
      word: setting({ name: 'X_WORD', kind: oneOf(['a']), default: 'a' as const, meaning: 'm', owner: 'o' }),
      key: setting<Uint8Array, Uint8Array | null>({
        name: 'X_KEY',
        kind: base64Key(32),
        default: null,
        meaning: 'm',
        owner: 'o',
        secret: true,
        emptyIsUnset: true,
      }),
    });
    expect(parseSettings(table, { PORT: '7' }).values.port).toBe(7);
    expect(parseSettings(table, { PORT: '7', X_PORT: '8' }).values.port).toBe(8);
    const bad = parseSettings(table, { X_PORT: 'x'.repeat(50), X_WORD: 'b', X_KEY: 'hunter2' });
    expect(bad.errors).toEqual([
      `config: X_PORT must be an integer in 0..9, got "${'x'.repeat(40)}…"`,
      'config: X_WORD must be one of a, got "b"',
      'config: X_KEY must be Base64 of exactly 32 bytes, got a value that is not shown',
    ]);
    expect(bad.values).toEqual({ port: 1, word: 'a', key: null });
    // The message stays one line whatever the value holds.
    expect(parseSettings(table, { X_WORD: 'a\nb"\u0000' }).errors).toEqual([
      'config: X_WORD must be one of a, got "a\\nb\\"\\u0000"',
    ]);
    const empty = parseSettings(table, { X_KEY: '', X_PORT: '3' });
    expect(empty.errors).toEqual([]);
    expect([...empty.given]).toEqual(['port']);
  });

  it('property: parseSettings never throws, whatever the values', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...settingsOf(SERVER_SETTINGS).map((d) => d.name)),
          fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.integer(), fc.boolean()),
        ),
        (env) => {
          const { errors } = parseSettings(SERVER_SETTINGS, env);
          for (const e of errors) expect(e).toMatch(/^config: \S+ .*, got /);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('renders a Markdown table: one row per setting, pipes escaped, fallbacks and secrets marked', () => {
    const table = renderSettingsTable([
      setting({
        name: 'X_PORT',
        aliases: ['PORT'],
        kind: integer(0, 9),
        default: 1,
        meaning: 'a | b',
        owner: 'o',
      }),
      { name: 'X_DEBUG', owner: 'o', describe: '`1`', defaultText: 'unset', meaning: 'debug', secret: true },
    ]);
    expect(table.split('\n')).toEqual([
      '| setting | type and range | default | secret | meaning |',
      '|---|---|---|---|---|',
      '| `X_PORT` (fallback `PORT`) | integer 0..9 | `1` |  | a \\| b |',
      '| `X_DEBUG` | `1` | unset | yes | debug |',
    ]);
  });
});
