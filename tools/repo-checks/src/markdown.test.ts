import { describe, expect, it } from 'vitest';
import { indexMarkdown } from './markdown.js';

const DOC = [
  '# Title', // 1
  '', // 2
  '## 1. Encodings', // 3
  '### 1.1 Base64 (`everywhere`)', // 4
  'See [the other](other.md#x) and [home](../README.md).', // 5
  '```', // 6
  '# -> 81635335 (not a heading)', // 7
  '[not a link](nowhere.md)', // 8
  '```', // 9
  '## 11. Known traps', // 10
  '1. first', // 11
  '2. second', // 12
  '', // 13
  '| a | b |', // 14
  '|---|---|', // 15
  '| [cell](cell.md) | x |', // 16
  '## Offcode decisions', // 17
].join('\n');

describe('indexMarkdown', () => {
  const { headings, links } = indexMarkdown(DOC);

  it('numbers, titles, GitHub anchors and lines of headings, none from fenced code', () => {
    expect(headings.map((h) => [h.number, h.title, h.slug, h.line])).toEqual([
      [null, 'Title', 'title', 1],
      ['1', 'Encodings', '1-encodings', 3],
      ['1.1', 'Base64 (everywhere)', '11-base64-everywhere', 4],
      ['11', 'Known traps', '11-known-traps', 10],
      [null, 'Offcode decisions', 'offcode-decisions', 17],
    ]);
  });

  it('collects the ordered-list items under a heading', () => {
    expect([...headings[3]!.items]).toEqual([1, 2]);
    expect(headings[1]!.items.size).toBe(0);
  });

  it('finds links in paragraphs and table cells with their lines, none in code', () => {
    expect(links).toEqual([
      { href: 'other.md#x', line: 5 },
      { href: '../README.md', line: 5 },
      { href: 'cell.md', line: 16 },
    ]);
  });
});
