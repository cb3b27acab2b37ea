import { vectorSources } from '@offcode/test-harness/vectors';
import { describe, expect, it } from 'vitest';
import { cli, expectFailure, expectOk } from './helpers.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const V3_DATA =
  'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&AD8bOO0Df73kNaIGb3Vmpg==&NWZmMWIxZWQtYTNjYy00NWEzLThhYjAtZWQ2MDk1MDMxMmI2JkExKkExMDBDWksqSUNaMjczMDMwMDAwMDAwMTE2NTI1NDAxMSpEMjAxODA0MjU=&offline';
const V4_DATA =
  'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&oKGio6SlpqeoqaqrrK2urw==&NWZmMWIxZWQtYTNjYy00NWEzLThhYjAtZWQ2MDk1MDMxMmI2JkExKkExMDBDWksqSUNaMjczMDMwMDAwMDAwMTE2NTI1NDAxMSpEMjAxODA0MjUmMjMyMjY0MDU=&offline';
const V3 = [
  '--protocol',
  '3',
  '--type',
  'possession_knowledge',
  '--possession',
  'UUOQH89Hoa/Nw7ew5rGTPw==',
  '--knowledge',
  'hjHWTy3HA3nQdDcdnJbRMw==',
  '--ctr',
  'V4uAF/PstuQoGNnNTifHuw==',
  '--data-b64',
  b64(V3_DATA),
];
const V4 = [
  '--protocol',
  '4',
  '--type',
  'possession_knowledge',
  '--possession',
  'w43W7IrnlzUz+I6de112xZ9C9VwAiIFZy8oziKNuwhY=',
  '--knowledge',
  'QooCMeJtQBknxSXyapkng1yU/4Mc0kvkiL7ebTxfIOY=',
  '--ctr',
  'gm3Ku2m87l4SgiYDUZEzOw538VgUXWgynwdrwxZ4nsc=',
  '--data-b64',
  b64(V4_DATA),
];

async function code(args: string[]): Promise<string> {
  const r = await cli(['code', ...args]);
  expectOk(r);
  return r.stdout;
}

describe('offcode code (client.md §5.4 examples)', () => {
  it('V3 example → 81635335-01379301, --length 4 → 5335-9301', async () => {
    expect(await code(V3)).toBe('81635335-01379301\n');
    expect(await code([...V3, '--length', '4'])).toBe('5335-9301\n');
  });

  it('V3 online form with --format base64', async () => {
    expect(await code([...V3, '--format', 'base64'])).toBe('I7ZujHwEWUOcIvL1itOJB9K9d/9RhDD93uMm/7W59OU=\n');
  });

  it('V4 example → 73964965-25628884 (and its online form)', async () => {
    expect(await code(V4)).toBe('73964965-25628884\n');
    expect(await code([...V4, '--format=base64'])).toBe(
      'CwjYZOpmwrOTJRHcwWcRw1UhVdQCa/knanAT20ADZ6UBDUQkD03fyRUkyBDNFo7AJHTQYVdwQz6r09BT4OUg1A==\n',
    );
  });

  // The published file (../shared/vectors; skipped with one line where missing) and its regression twin.
  for (const src of vectorSources<{
    data: { input: Record<string, string>; output: { signature: string } }[];
  }>('v3/signatures-offline.json')) {
    it.skipIf(!src.available)(
      `replays ${src.source} ${src.file} (both factor types, every length)`,
      async () => {
        const doc = src.load();
        for (const v of doc.data.filter((_, i) => i % 9 === 0 || v0(i))) {
          const i = v.input;
          const args = [
            '--protocol',
            '3',
            '--type',
            i.signatureType!,
            '--possession',
            i.signaturePossessionKey!,
            '--ctr',
            i.counterData!,
          ];
          args.push('--data-b64', i.data!, '--length', i.signatureComponentLength!);
          if (i.signatureType === 'possession_knowledge') args.push('--knowledge', i.signatureKnowledgeKey!);
          expect(await code(args)).toBe(`${v.output.signature}\n`);
        }
      },
    );
  }

  it('keys the type does not need are ignored; empty DATA is allowed', async () => {
    const r = await code([
      '--protocol',
      '3',
      '--type',
      'possession',
      '--possession',
      'UUOQH89Hoa/Nw7ew5rGTPw==',
      '--knowledge',
      'garbage',
      '--ctr',
      'V4uAF/PstuQoGNnNTifHuw==',
      '--data-b64',
      '',
    ]);
    expect(r).toMatch(/^\d{8}\n$/);
    expect(
      await code([
        '--protocol',
        '3',
        '--type',
        'possession_knowledge_biometry',
        '--possession',
        'UUOQH89Hoa/Nw7ew5rGTPw==',
        '--knowledge',
        'hjHWTy3HA3nQdDcdnJbRMw==',
        '--biometry',
        'S9fNvGUhUafp18upFWzCoA==',
        '--ctr',
        'V4uAF/PstuQoGNnNTifHuw==',
        '--data-b64',
        b64(V3_DATA),
      ]),
    ).toMatch(/^81635335-01379301-\d{8}\n$/);
  });

  it.each([
    ['missing --knowledge', V3.filter((_, i) => i !== 6 && i !== 7)],
    [
      'non-canonical Base64',
      V3.map((a) => (a === 'hjHWTy3HA3nQdDcdnJbRMw==' ? 'hjHWTy3HA3nQdDcdnJbRMx==' : a)),
    ],
    ['URL-safe Base64', V3.map((a) => (a === 'UUOQH89Hoa/Nw7ew5rGTPw==' ? 'UUOQH89Hoa_Nw7ew5rGTPw==' : a))],
    [
      'V4-sized key on V3',
      V3.map((a) => (a === 'UUOQH89Hoa/Nw7ew5rGTPw==' ? 'w43W7IrnlzUz+I6de112xZ9C9VwAiIFZy8oziKNuwhY=' : a)),
    ],
    [
      'V3 ctr on V4',
      V4.map((a) => (a === 'gm3Ku2m87l4SgiYDUZEzOw538VgUXWgynwdrwxZ4nsc=' ? 'V4uAF/PstuQoGNnNTifHuw==' : a)),
    ],
    ['--length 9', [...V3, '--length', '9']],
    ['--length 3', [...V3, '--length', '3']],
    ['--length x', [...V3, '--length', 'x']],
    ['--length with base64', [...V3, '--length', '6', '--format', 'base64']],
    ['unknown --type', V3.map((a) => (a === 'possession_knowledge' ? 'knowledge_possession' : a))],
    ['missing --ctr', V3.slice(0, 8).concat(V3.slice(10))],
    ['--format hex', [...V3, '--format', 'hex']],
  ])('%s → exit 2', async (_n, args) => {
    expectFailure(await cli(['code', ...args]), 2, 'INVALID_INPUT');
  });
});

function v0(i: number) {
  return i < 20;
}
