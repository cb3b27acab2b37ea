/**
 * What the checks need from a Markdown file: its headings (section number, title, GitHub anchor, the ordered
 * list items under each) and its links, with line numbers. Parsed with marked's lexer so that fenced code,
 * inline code and HTML never count as headings or links.
 */
import GithubSlugger from 'github-slugger';
import { Lexer, type Token, type Tokens } from 'marked';

export interface Heading {
  depth: number;
  /** `2`, `3.1`, `0` for `## 2. Title` / `### 3.1 Title`; null for an unnumbered heading. */
  number: string | null;
  /** Plain text after the number (inline code and emphasis reduced to their text). */
  title: string;
  /** The anchor GitHub gives the heading (`#3-v3-authentication-code-...`). */
  slug: string;
  line: number;
  /** Numbers of the ordered-list items between this heading and the next one (`11. Known traps` → 1..25). */
  items: Set<number>;
}

export interface MarkdownLink {
  href: string;
  line: number;
}

export interface MarkdownIndex {
  headings: Heading[];
  links: MarkdownLink[];
}

const NUMBERED = /^(\d+(?:\.\d+)*)\.?\s+(.*)$/s;

/** Plain text of inline tokens (what GitHub slugs and what a reader sees). */
function plainText(tokens: Token[] | undefined, fallback: string): string {
  if (!tokens) return fallback;
  return tokens
    .map((t) => ('tokens' in t && t.tokens ? plainText(t.tokens, '') : 'text' in t ? String(t.text) : ''))
    .join('');
}

/** Every link token inside `token`, depth first. */
function linksIn(token: Token): Tokens.Link[] {
  const out: Tokens.Link[] = [];
  const visit = (t: Token): void => {
    if (t.type === 'link') out.push(t as Tokens.Link);
    const children = [
      ...('tokens' in t && Array.isArray(t.tokens) ? t.tokens : []),
      ...(t.type === 'list' ? (t as Tokens.List).items : []),
      ...(t.type === 'table' ? tableCells(t as Tokens.Table) : []),
    ];
    for (const c of children) visit(c);
  };
  visit(token);
  return out;
}

function tableCells(table: Tokens.Table): Token[] {
  return [...table.header, ...table.rows.flat()].flatMap((cell) => cell.tokens);
}

/** Line (1-based) of `needle` inside `raw` that starts at `line`; `line` when not found. */
function lineWithin(raw: string, needle: string, line: number, from = 0): number {
  const at = raw.indexOf(needle, from);
  return at < 0 ? line : line + countNewlines(raw.slice(0, at));
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export function indexMarkdown(source: string): MarkdownIndex {
  const slugger = new GithubSlugger();
  const headings: Heading[] = [];
  const links: MarkdownLink[] = [];
  let line = 1;
  for (const token of Lexer.lex(source)) {
    if (token.type === 'heading') {
      const h = token as Tokens.Heading;
      const text = plainText(h.tokens, h.text).trim();
      const m = NUMBERED.exec(text);
      headings.push({
        depth: h.depth,
        number: m ? m[1]! : null,
        title: m ? m[2]!.trim() : text,
        slug: slugger.slug(text),
        line,
        items: new Set(),
      });
    } else if (token.type === 'list' && (token as Tokens.List).ordered) {
      const list = token as Tokens.List;
      const start = typeof list.start === 'number' ? list.start : 1;
      for (let i = 0; i < list.items.length; i++) headings.at(-1)?.items.add(start + i);
    }
    let searchFrom = 0;
    for (const link of linksIn(token)) {
      links.push({ href: link.href, line: lineWithin(token.raw, link.raw, line, searchFrom) });
      const at = token.raw.indexOf(link.raw, searchFrom);
      if (at >= 0) searchFrom = at + link.raw.length;
    }
    line += countNewlines(token.raw);
  }
  return { headings, links };
}
