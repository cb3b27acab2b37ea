/**
 * Request-target spellings that Fastify's router (find-my-way) maps to the same route as the plain path
 * (server.md §1.5): percent-escapes of path characters (upper- or lower-case hex; find-my-way decodes them
 * with decodeURI, so every character but `/` may be escaped), the absolute form `scheme://authority/path`
 * (http or https in any case, any host, optional port and user info), a query string, and a fragment
 * (origin form only: find-my-way refuses a `#` in the absolute form). Router options that would add more
 * spellings (ignoreTrailingSlash, ignoreDuplicateSlashes, caseSensitive=false, useSemicolonDelimiter) are
 * off; `ROUTER_REFUSED` lists spellings that must therefore NOT reach a route.
 */
import fc from 'fast-check';

/** `%XX` for one ASCII character, with upper- or lower-case hex digits. */
export const percentEscape = (ch: string, upper: boolean): string => {
  const hex = ch.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? hex.toUpperCase() : hex.toLowerCase()}`;
};

/** The path with the characters at `positions` escaped (never a `/`: find-my-way keeps `%2F` literal). */
export function escapePath(
  path: string,
  positions: ReadonlySet<number>,
  upper: (i: number) => boolean,
): string {
  return [...path]
    .map((ch, i) => (ch !== '/' && positions.has(i) ? percentEscape(ch, upper(i)) : ch))
    .join('');
}

/** Any case of a word: `http` → `hTtP`. */
const anyCase = (word: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((flags) => [...word].map((c, i) => (flags[i] ? c.toUpperCase() : c)).join(''));

const host = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.constantFrom('localhost', '[::1]', '[2001:db8::1]', '127.0.0.1', 'offcode.test'),
);

/** `scheme://[userinfo@]host[:port]` of an absolute-form request target. */
export const authority: fc.Arbitrary<string> = fc
  .record({
    scheme: fc.constantFrom('http', 'https').chain(anyCase),
    userinfo: fc.option(fc.constantFrom('u@', 'user:pw@', 'a%40b:c@'), { nil: '' }),
    host,
    port: fc.option(
      fc.integer({ min: 1, max: 65_535 }).map((p) => `:${p}`),
      { nil: '' },
    ),
  })
  .map(({ scheme, userinfo, host, port }) => `${scheme}://${userinfo}${host}${port}`);

/** Characters a request target may carry in a query or fragment (llhttp accepts them; no spaces). */
const queryText = fc.string({
  unit: fc.constantFrom(..."abcXYZ019=&-._~%2F/?:@!$'()*+,;".split('')),
  maxLength: 24,
});

export interface TargetSpelling {
  target: string;
  /** What the spelling uses, for failure messages. */
  kind: string;
}

/** Every spelling class at once, randomly combined, for one path. */
export function spellingOf(path: string): fc.Arbitrary<TargetSpelling> {
  const length = path.length;
  return fc
    .record({
      positions: fc.uniqueArray(fc.integer({ min: 0, max: length - 1 }), { maxLength: length }),
      upper: fc.array(fc.boolean(), { minLength: length, maxLength: length }),
      absolute: fc.option(authority, { nil: null }),
      query: fc.option(queryText, { nil: null }),
      fragment: fc.option(queryText, { nil: null }),
    })
    .map(({ positions, upper, absolute, query, fragment }) => {
      const escaped = escapePath(path, new Set(positions), (i) => upper[i] ?? true);
      let target = `${absolute ?? ''}${escaped}`;
      if (query !== null) target += `?${query}`;
      // find-my-way refuses a fragment in an absolute-form target (FST_ERR_BAD_URL), so it is never a spelling there.
      if (fragment !== null && absolute === null) target += `#${fragment}`;
      const kind = [
        positions.some((i) => path[i] !== '/') ? 'escapes' : '',
        absolute ? 'absolute' : '',
        query !== null ? 'query' : '',
        fragment !== null && absolute === null ? 'fragment' : '',
      ]
        .filter(Boolean)
        .join('+');
      return { target, kind: kind || 'plain' };
    });
}

/** One fixed example of each spelling class (the example-based tests run them for every protected route). */
export function exampleSpellings(path: string): TargetSpelling[] {
  const indexes = [...path].map((_, i) => i);
  const all = new Set(indexes);
  const second = new Set(indexes.filter((i) => i % 2 === 1));
  return [
    { kind: 'plain', target: path },
    { kind: 'every character escaped, upper-case hex', target: escapePath(path, all, () => true) },
    { kind: 'every character escaped, lower-case hex', target: escapePath(path, all, () => false) },
    {
      kind: 'every other character escaped, mixed hex',
      target: escapePath(path, second, (i) => i % 4 === 1),
    },
    {
      kind: 'first segment escaped',
      target: path.replace(/^\/([a-z])/, (_, c: string) => `/${percentEscape(c, true)}`),
    },
    { kind: 'absolute http', target: `http://offcode.test${path}` },
    { kind: 'absolute HTTPS with port', target: `HTTPS://OFFCODE.TEST:8443${path}` },
    {
      kind: 'absolute with user info, escaped',
      target: `hTTp://user:pw@10.0.0.1:80${escapePath(path, second, () => false)}`,
    },
    { kind: 'absolute IPv6 with query', target: `http://[::1]${path}?x=1` },
    { kind: 'query', target: `${path}?a=1&b=/rest/v3/status` },
    { kind: 'fragment', target: `${path}#frag` },
    { kind: 'query and fragment', target: `${path}?q#f` },
    { kind: 'empty query', target: `${path}?` },
  ];
}

/** Spellings the router must NOT match (the options that would normalise them are off). */
export function routerRefusedSpellings(path: string): TargetSpelling[] {
  return [
    { kind: 'trailing slash', target: `${path}/` },
    { kind: 'duplicate slash', target: path.replace('/', '//') },
    { kind: 'upper case', target: path.toUpperCase() },
    { kind: 'semicolon parameter', target: `${path};jsessionid=1` },
    { kind: 'escaped slash', target: path.replace(/\/([^/]*)$/, '%2F$1') },
    { kind: 'dot segment', target: path.replace(/\/([^/]*)$/, '/./$1') },
  ];
}
