import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { esc, html, raw } from './html.js';

describe('html helpers', () => {
  it('escapes every interpolated value unless marked raw', () => {
    expect(html`<p>${'<script>"x"&\'y\''}</p>`.html).toBe(
      '<p>&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;</p>',
    );
    expect(html`<p>${raw('<b>ok</b>')}${[html`<i>${'<'}</i>`, 'a&b']}${null}${false}${0}</p>`.html).toBe(
      '<p><b>ok</b><i>&lt;</i>a&amp;b0</p>',
    );
  });

  it('property: escaped text contains no markup characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(esc(s)).not.toMatch(/[<>"']/);
      }),
    );
  });
});
