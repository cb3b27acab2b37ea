import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { payloadCase } from '@offcode/test-harness/vectors';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, expectFailure, expectOk } from './helpers.js';

// jsqr is CommonJS with a `default` property: normalise the ESM interop shape.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ??
  jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { binaryData: number[] } | null;

const dir = mkdtempSync(join(tmpdir(), 'offcode-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Non-ASCII text (UTF-8 multi-byte) and digit runs: a plain-string encoder would split segments.
const QR = payloadCase('offcode:v3-master-p256');

/** Reads the half-block terminal rendering back into a light/dark matrix (true = light). */
function readHalfBlocks(text: string): boolean[][] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  const rows: boolean[][] = [];
  for (const line of lines) {
    const chars = [...line];
    rows.push(chars.map((c) => c === '█' || c === '▀'));
    rows.push(chars.map((c) => c === '█' || c === '▄'));
  }
  return rows;
}

describe('offcode qr render', () => {
  it('terminal: Unicode half blocks with a 4-module quiet zone, one byte-mode segment of the UTF-8 bytes', async () => {
    const r = await cli(['qr', 'render'], { input: `${QR}\n` });
    expectOk(r);
    const rows = readHalfBlocks(r.stdout);
    const modules = QRCode.create([{ data: Buffer.from(QR, 'utf8'), mode: 'byte' }], {
      errorCorrectionLevel: 'L',
    }).modules;
    const size = modules.size + 8;
    expect(rows[0]!.length).toBe(size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = y >= 4 && x >= 4 && y < size - 4 && x < size - 4;
        const light = inside ? !modules.get(y - 4, x - 4) : true;
        expect(rows[y]![x], `module ${y},${x}`).toBe(light);
      }
    }
  });

  it('PNG (8 px per module) decodes back to exactly the payload bytes', async () => {
    const file = join(dir, 'qr.png');
    const r = await cli(['qr', 'render', '--png', file], { input: `${QR}\n` });
    expectOk(r);
    expect(r.stdout).toBe('');
    const png = PNG.sync.read(readFileSync(file));
    const modules = QRCode.create([{ data: Buffer.from(QR, 'utf8'), mode: 'byte' }], {
      errorCorrectionLevel: 'L',
    }).modules;
    expect(png.width).toBe((modules.size + 8) * 8);
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded).not.toBeNull();
    expect(Buffer.from(decoded!.binaryData).toString('utf8')).toBe(QR);
  });

  it('SVG at level H is written and nothing is printed', async () => {
    const file = join(dir, 'qr.svg');
    const r = await cli(['qr', 'render', '--svg', file, '--ec', 'H'], { input: QR });
    expectOk(r);
    expect(r.stdout).toBe('');
    const svg = readFileSync(file, 'utf8');
    expect(svg).toMatch(/^<svg[^>]*viewBox="0 0 (\d+) \1"/);
  });

  it('renders negative test payloads (grammar is not checked)', async () => {
    expectOk(await cli(['qr', 'render'], { input: 'not a payload\n' }));
  });

  it('capacity is enforced per level: QR_CAPACITY_EXCEEDED, exit 2', async () => {
    const text = 'x'.repeat(2400);
    expectOk(await cli(['qr', 'render', '--svg', join(dir, 'big.svg')], { input: text }));
    const line = expectFailure(
      await cli(['qr', 'render', '--ec', 'M'], { input: text }),
      2,
      'QR_CAPACITY_EXCEEDED',
    );
    expect(line).toMatch(/2400 bytes/);
    expect(existsSync(join(dir, 'none.png'))).toBe(false);
  });

  it('empty input, a bad level or invalid UTF-8 → exit 2', async () => {
    expectFailure(await cli(['qr', 'render'], { input: '\n' }), 2, 'INVALID_INPUT');
    expectFailure(await cli(['qr', 'render', '--ec', 'X'], { input: QR }), 2, 'INVALID_INPUT');
    expectFailure(
      await cli(['qr', 'render'], { input: Buffer.from([0xff, 0x41]) }),
      2,
      'INVALID_QR',
      'INVALID_UTF8',
    );
  });

  it('an unwritable output file → exit 1', async () => {
    expectFailure(
      await cli(['qr', 'render', '--png', join(dir, 'missing', 'x.png')], { input: QR }),
      1,
      'STORAGE_FAILURE',
    );
  });
});
