/** Relative links of a Markdown file: the target file (or folder) must exist, and a `#anchor` into Markdown must be a heading. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { indexMarkdown, type MarkdownLink } from './markdown.js';

/** Links that leave the file tree: web, mail, data and protocol-relative addresses. */
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

export interface LinkProblem {
  line: number;
  href: string;
  why: string;
}

function anchorsOf(path: string, cache: Map<string, Set<string>>): Set<string> {
  let anchors = cache.get(path);
  if (!anchors) {
    anchors = new Set(indexMarkdown(readFileSync(path, 'utf8')).headings.map((h) => h.slug));
    cache.set(path, anchors);
  }
  return anchors;
}

/** Why one link of `file` (absolute path) does not resolve inside `root`, or null. */
function checkLink(
  root: string,
  file: string,
  link: MarkdownLink,
  cache: Map<string, Set<string>>,
): string | null {
  const hash = link.href.indexOf('#');
  const pathPart = hash < 0 ? link.href : link.href.slice(0, hash);
  const anchor = hash < 0 ? '' : decodeURIComponent(link.href.slice(hash + 1));
  const target = pathPart ? resolve(dirname(file), decodeURIComponent(pathPart)) : file;
  const inside = relative(root, target);
  if (inside.startsWith('..') || resolve(root, inside) !== target) return 'points outside the repository';
  if (!existsSync(target)) return `${inside || '.'} does not exist`;
  if (!anchor || !target.endsWith('.md') || statSync(target).isDirectory()) return null;
  return anchorsOf(target, cache).has(anchor.toLowerCase()) ? null : `${inside} has no heading #${anchor}`;
}

/** Every relative link of the Markdown file `file` (absolute path) that does not resolve. */
export function brokenLinks(
  root: string,
  file: string,
  cache = new Map<string, Set<string>>(),
): LinkProblem[] {
  const { links } = indexMarkdown(readFileSync(file, 'utf8'));
  return links
    .filter((l) => l.href && !EXTERNAL.test(l.href))
    .flatMap((l) => {
      const why = checkLink(root, file, l, cache);
      return why ? [{ line: l.line, href: l.href, why }] : [];
    });
}
