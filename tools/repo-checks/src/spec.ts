/** The specification as the checks see it: every docs/spec/*.md file indexed by its headings. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Citation } from './citations.js';
import { type Heading, indexMarkdown } from './markdown.js';

export type SpecIndex = ReadonlyMap<string, Heading[]>;

export function indexSpec(specDir: string): SpecIndex {
  const files = readdirSync(specDir).filter((f) => f.endsWith('.md'));
  return new Map(files.map((f) => [f, indexMarkdown(readFileSync(join(specDir, f), 'utf8')).headings]));
}

/**
 * A section number resolves to a heading with that number, or `N.M` to item M of the numbered list directly
 * under heading N (server.md §6.2 is the second security requirement of `## 6. Security requirements`).
 */
export function hasSection(headings: Heading[], section: string): boolean {
  if (headings.some((h) => h.number === section)) return true;
  const cut = section.lastIndexOf('.');
  if (cut < 0) return false;
  const parent = section.slice(0, cut);
  const item = Number(section.slice(cut + 1));
  return headings.some((h) => h.number === parent && h.items.has(item));
}

/** Why `c` does not resolve in `spec`, or null when it does. */
export function unresolved(spec: SpecIndex, c: Citation): string | null {
  const headings = spec.get(c.file);
  if (!headings) return `${c.file} is not in docs/spec/`;
  switch (c.kind) {
    case 'file':
      return null;
    case 'section':
      return hasSection(headings, c.section) ? null : `${c.file} has no section ${c.section}`;
    case 'title': {
      const wanted = c.title.toLowerCase();
      return headings.some((h) => h.title.toLowerCase().startsWith(wanted))
        ? null
        : `${c.file} has no heading "${c.title}"`;
    }
    case 'trap': {
      const traps = headings.find((h) => /^known traps/i.test(h.title));
      if (!traps) return `${c.file} has no "Known traps" section`;
      return traps.items.has(c.item) ? null : `${c.file} "Known traps" has no item ${c.item}`;
    }
  }
}
