/**
 * Citations of the specification (docs/spec/*.md) in source, tests, scripts and Markdown. The forms found in the
 * repository (grep of every tracked file) and recognised here:
 *
 *   server.md §2.2            crypto.md 4.1             payload.md section 8        client.md §5
 *   (crypto.md 1.3, 2.1)      activation.md 6           crypto.md sections 12-14    crypto.md sections 13 and 14
 *   server.md §2.2–§2.4       server.md §3.1–3.4        crypto.md 13/14             server.md §1.3/§1.4
 *   server.md §2.2, §2.4      `server.md` §5            [`crypto.md`](../docs/spec/crypto.md) (sections 12-14)
 *   crypto.md "V4 key derivation"   (a heading title)   crypto.md trap 4 (item 4 of the "Known traps" list)
 *   spec/payload.md, docs/spec/crypto.md (a path: the file must exist)
 *   inside docs/spec/*.md only: §4.1, section 12, (sections 13 and 14) without a file name = the same file
 *
 * A citation may run over a line break with a comment prefix (` * `, `// `, `# `) in between.
 */

export type Citation =
  | { kind: 'section'; file: string; section: string; line: number }
  | { kind: 'title'; file: string; title: string; line: number }
  | { kind: 'trap'; file: string; item: number; line: number }
  | { kind: 'file'; file: string; line: number };

const NUM = String.raw`\d+(?:\.\d+)*`;
const PREFIX = String.raw`(?:§\s?|[Ss]ections?\s+|sec\.\s*)`;
const RANGE = String.raw`${NUM}(?:\s?(?:-|–|\.\.)\s?§?${NUM})?`;
const ITEM = `${PREFIX}?${RANGE}`;
// A separator must be followed by another item; `;` only before an explicit `§`.
const SEP = String.raw`(?:\s?,\s?|\s?/\s?|\s+and\s+|;\s?(?=§))`;
const LIST = `${ITEM}(?:${SEP}${ITEM})*`;
/** A number ends at a non-word character; a full stop ends a sentence unless a digit follows. */
const END = String.raw`(?!\w|\.\d)`;
/** Whitespace between a file name and its sections, possibly a line break with a comment prefix. */
const GAP = String.raw`[ \t]*(?:\r?\n[ \t]*(?:\*|\/\/|#)?[ \t]*)?`;
/** `name.md`, `` `name.md` ``, or the Markdown link `[`name.md`](path)`, with an optional `(`. */
const FILE = String.raw`(?<![\w-])(?:[\w./-]*\/)?([a-z][a-z0-9-]*)\.md\`?(?:\]\([^)\s]*\))?`;

const FILE_CITATION = new RegExp(
  String.raw`${FILE}${GAP}\(?(?:(${LIST})${END}|"([^"\n]{1,80})"|traps?\s+(\d+(?:(?:,\s?|\s+and\s+)\d+)*))`,
  'g',
);
const SPEC_PATH = /(?<![\w-])(?:[\w.-]*\/)*spec\/([a-z][a-z0-9-]*)\.md\b/g;
const BARE = new RegExp(String.raw`(?<![\w.§])(?:§\s?|[Ss]ections?\s+)${RANGE}(?:${SEP}${ITEM})*${END}`, 'g');
const ITEM_RE = new RegExp(ITEM, 'g');
const RANGE_PARTS = new RegExp(String.raw`^${PREFIX}?(${NUM})(?:\s?(?:-|–|\.\.)\s?§?(${NUM}))?$`);

/** Section numbers of one list item: `3.1-3.3` → 3.1, 3.2, 3.3; `12-14` → 12, 13, 14; `6.9-10` → 6.9, 6.10; otherwise the ends. */
export function expandItem(item: string): string[] {
  const m = RANGE_PARTS.exec(item.trim());
  if (!m) return [];
  const [, from, to] = m as unknown as [string, string, string | undefined];
  if (!to) return [from];
  const a = from.split('.');
  // `6.9-10` is 6.9 to 6.10: a shorter end replaces the last components of the start.
  const b = [...a.slice(0, Math.max(0, a.length - to.split('.').length)), ...to.split('.')];
  const same = a.length === b.length && a.slice(0, -1).join('.') === b.slice(0, -1).join('.');
  const first = Number(a.at(-1));
  const last = Number(b.at(-1));
  if (!same || last < first || last - first > 50) return [from, b.join('.')];
  const head = a.slice(0, -1);
  return Array.from({ length: last - first + 1 }, (_, i) => [...head, String(first + i)].join('.'));
}

/** Every section number of a list such as `§2.2, §2.4–§2.6` or `13 and 14`. */
export function expandList(list: string): string[] {
  return (list.match(ITEM_RE) ?? []).flatMap(expandItem);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export interface ParseOptions {
  /** Base name (`crypto.md`) when the text is a spec file: its bare `§N` / `section N` cite the file itself. */
  ownFile?: string;
}

/** The citations in `text`, in order of appearance (line numbers are 1-based). */
export function parseCitations(text: string, options: ParseOptions = {}): Citation[] {
  const starts = lineStarts(text);
  const found: { at: number; citation: Citation }[] = [];
  const taken: [number, number][] = [];
  for (const m of text.matchAll(FILE_CITATION)) {
    const file = `${m[1]}.md`;
    const line = lineOf(starts, m.index);
    const [, , list, title, traps] = m;
    if (list)
      for (const section of expandList(list))
        found.push({ at: m.index, citation: { kind: 'section', file, section, line } });
    if (title) found.push({ at: m.index, citation: { kind: 'title', file, title, line } });
    if (traps) {
      for (const item of traps.match(/\d+/g) ?? []) {
        found.push({ at: m.index, citation: { kind: 'trap', file, item: Number(item), line } });
      }
    }
    taken.push([m.index, m.index + m[0].length]);
  }
  for (const m of text.matchAll(SPEC_PATH)) {
    found.push({
      at: m.index,
      citation: { kind: 'file', file: `${m[1]}.md`, line: lineOf(starts, m.index) },
    });
  }
  if (options.ownFile) {
    for (const m of text.matchAll(BARE)) {
      if (taken.some(([a, b]) => m.index >= a && m.index < b)) continue;
      const line = lineOf(starts, m.index);
      for (const section of expandList(m[0])) {
        found.push({ at: m.index, citation: { kind: 'section', file: options.ownFile, section, line } });
      }
    }
  }
  return found.sort((x, y) => x.at - y.at).map((f) => f.citation);
}
