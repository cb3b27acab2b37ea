import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Citation, expandItem, parseCitations } from './citations.js';

/** `[file, section]` of the section citations of `text`. */
const sections = (text: string, ownFile?: string): [string, string][] =>
  parseCitations(text, { ownFile })
    .filter((c): c is Extract<Citation, { kind: 'section' }> => c.kind === 'section')
    .map((c) => [c.file, c.section]);

describe('parseCitations: every form used in the repository', () => {
  it.each([
    ['/** One route (server.md §2.2). */', [['server.md', '2.2']]],
    ['// crypto.md 4.1: KMAC256', [['crypto.md', '4.1']]],
    ['cases (keys in payload.md section 8)', [['payload.md', '8']]],
    ['see client.md §5.', [['client.md', '5']]],
    [
      'xor-fold (crypto.md 1.3, 2.1)',
      [
        ['crypto.md', '1.3'],
        ['crypto.md', '2.1'],
      ],
    ],
    ['status blob (activation.md 6)', [['activation.md', '6']]],
    [
      'in `../spec/crypto.md` (sections 12-14).',
      [
        ['crypto.md', '12'],
        ['crypto.md', '13'],
        ['crypto.md', '14'],
      ],
    ],
    [
      'crypto.md sections 13 and 14.',
      [
        ['crypto.md', '13'],
        ['crypto.md', '14'],
      ],
    ],
    [
      'server.md §2.2–§2.4',
      [
        ['server.md', '2.2'],
        ['server.md', '2.3'],
        ['server.md', '2.4'],
      ],
    ],
    [
      'server.md §3.1–3.3 etc',
      [
        ['server.md', '3.1'],
        ['server.md', '3.2'],
        ['server.md', '3.3'],
      ],
    ],
    [
      'like crypto.md 13/14',
      [
        ['crypto.md', '13'],
        ['crypto.md', '14'],
      ],
    ],
    [
      'errors (server.md §1.3/§1.4)',
      [
        ['server.md', '1.3'],
        ['server.md', '1.4'],
      ],
    ],
    [
      '(server.md §2.2, §2.4; issue 11 items 1 and 11)',
      [
        ['server.md', '2.2'],
        ['server.md', '2.4'],
      ],
    ],
    ['`server.md` §5 (REST)', [['server.md', '5']]],
    [
      'defaults (server.md §4, §6.9-10)',
      [
        ['server.md', '4'],
        ['server.md', '6.9'],
        ['server.md', '6.10'],
      ],
    ],
    ['[`crypto.md`](../docs/spec/crypto.md) (section 10)', [['crypto.md', '10']]],
    [' * shape (server.md\n * §2.1) here', [['server.md', '2.1']]],
    [
      '(server.md §2.2, client.md §3.3)',
      [
        ['server.md', '2.2'],
        ['client.md', '3.3'],
      ],
    ],
    ['token.md §4', [['token.md', '4']]],
  ])('%j', (text, expected) => {
    expect(sections(text)).toEqual(expected);
  });

  it('heading titles, known traps and spec paths', () => {
    expect(
      parseCitations('(crypto.md "V4 key derivation"), crypto.md trap 4, crypto.md traps 3 and 5'),
    ).toEqual([
      { kind: 'title', file: 'crypto.md', title: 'V4 key derivation', line: 1 },
      { kind: 'trap', file: 'crypto.md', item: 4, line: 1 },
      { kind: 'trap', file: 'crypto.md', item: 3, line: 1 },
      { kind: 'trap', file: 'crypto.md', item: 5, line: 1 },
    ]);
    expect(parseCitations('read docs/spec/vectors.md first\nand `spec/payload.md`')).toEqual([
      { kind: 'file', file: 'vectors.md', line: 1 },
      { kind: 'file', file: 'payload.md', line: 2 },
    ]);
  });

  it('bare sections count only inside a spec file, and cite that file', () => {
    const text = 'shape in §5.3; see section 12 and (sections 13 and 14); crypto.md §10.1';
    expect(sections(text)).toEqual([['crypto.md', '10.1']]);
    expect(sections(text, 'client.md')).toEqual([
      ['client.md', '5.3'],
      ['client.md', '12'],
      ['client.md', '13'],
      ['client.md', '14'],
      ['crypto.md', '10.1'],
    ]);
  });

  it('is not fooled by numbers that are not sections', () => {
    expect(sections('README.md, 3 files; package.md5sum; crypto.md v2; server.mdx 2')).toEqual([]);
    expect(sections('crypto.md 2.1.')).toEqual([['crypto.md', '2.1']]);
    expect(sections('crypto.md 4x')).toEqual([]);
  });

  it('reports the line of the file name', () => {
    expect(parseCitations('a\nb\n  (server.md §1.1)\n').map((c) => c.line)).toEqual([3]);
  });
});

describe('expandItem', () => {
  it.each([
    ['§2.2', ['2.2']],
    ['12-14', ['12', '13', '14']],
    ['§5–§7', ['5', '6', '7']],
    ['3.1..3.3', ['3.1', '3.2', '3.3']],
    ['2.2-4.1', ['2.2', '4.1']],
    ['9-3', ['9', '3']],
    ['1-99', ['1', '99']],
  ])('%s', (item, expected) => {
    expect(expandItem(item)).toEqual(expected);
  });
});

// Property tests: generated citations in every form, inside text that holds no other citation.
const FILES = ['server.md', 'client.md', 'payload.md', 'crypto.md', 'activation.md', 'other-spec.md'];
const sectionNumber = fc
  .array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('.'));
const filler = fc.stringMatching(/^[A-Za-z ,;:()'"-]{0,40}$/).map((s) => ` ${s} `);
const form = fc.constantFrom(
  (f: string, s: string[]) => `${f} §${s.join(', §')}`,
  (f: string, s: string[]) => `(${f} ${s.join(', ')})`,
  (f: string, s: string[]) => `\`${f}\` ${s.map((x) => `§${x}`).join('/')}`,
  (f: string, s: string[]) => `${f} section${s.length > 1 ? 's' : ''} ${s.join(' and ')}`,
  (f: string, s: string[]) => `[\`${f}\`](../docs/spec/${f}) (sections ${s.join(', ')})`,
);

describe('parseCitations properties', () => {
  it('finds exactly the generated citations, in order, on their lines', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            file: fc.constantFrom(...FILES),
            list: fc.array(sectionNumber, { minLength: 1, maxLength: 3 }),
            form,
            before: filler,
            newline: fc.boolean(),
          }),
          { maxLength: 6 },
        ),
        (items) => {
          let text = '';
          const expected: [string, string, number][] = [];
          for (const it of items) {
            text += it.before;
            const line = text.split('\n').length;
            text += it.form(it.file, it.list) + (it.newline ? '\n' : ' ');
            for (const s of it.list) expected.push([it.file, s, line]);
          }
          // The link form also yields a `file` citation of its target path; only sections are generated here.
          const got = parseCitations(text)
            .filter((c): c is Extract<Citation, { kind: 'section' }> => c.kind === 'section')
            .map((c) => [c.file, c.section, c.line]);
          expect(got).toEqual(expected);
        },
      ),
    );
  });

  it('never throws and reports lines inside the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const lines = text.split('\n').length;
        for (const c of parseCitations(text, { ownFile: 'crypto.md' })) {
          expect(c.line).toBeGreaterThanOrEqual(1);
          expect(c.line).toBeLessThanOrEqual(lines);
        }
      }),
    );
  });
});
