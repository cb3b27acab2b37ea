import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeQrPng, decodeQrSvg } from '../../test/qr-decode.js';
import { renderQrPng, renderQrSvg } from './qr.js';

describe('QR rendering', () => {
  it('byte mode keeps digit runs and non-ASCII exactly (PNG and SVG)', async () => {
    const text =
      'op-1\nPlatba\nZaplaťte 100 EUR\nA1*A100EUR*ICZ2730300000001165254011\n\n12345678901234567890\n';
    const png = await renderQrPng(text);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const decoded = decodeQrPng(png);
    expect(decoded.text).toBe(text);
    expect(decodeQrSvg(await renderQrSvg(text))).toBe(text);
  });

  it('property: any text within capacity decodes back to itself', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }), async (text) => {
        expect(decodeQrSvg(await renderQrSvg(text))).toBe(text);
      }),
      { numRuns: 40 },
    );
  });

  it('over capacity is an error, never a truncated symbol', async () => {
    await expect(renderQrSvg('x'.repeat(2954))).rejects.toMatchObject({ reason: 'QR_CAPACITY_EXCEEDED' });
    await expect(renderQrPng('x'.repeat(2332), 'M')).rejects.toMatchObject({
      reason: 'QR_CAPACITY_EXCEEDED',
    });
  });
});
