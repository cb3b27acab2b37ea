/**
 * QR decoding for the tests: PNG through pngjs + jsQR, and the SVG of the `qrcode` package by rasterising
 * its path (one `M x y.5 h n` / `m dx dy h n` run per row segment) into modules first. Both return the
 * exact text: the raw bytes of the byte segment decoded as strict UTF-8 (payload.md §6).
 */
import { decodeScannedBytes } from '@offcode/protocol';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

type JsQr = typeof import('jsqr').default;
const jsQR: JsQr = ((jsQRModule as unknown as { default?: JsQr }).default ?? jsQRModule) as JsQr;

function decodeRgba(data: Uint8ClampedArray, width: number, height: number): string {
  const found = jsQR(data, width, height, { inversionAttempts: 'dontInvert' });
  if (!found) throw new Error('no QR code found');
  return decodeScannedBytes(Uint8Array.from(found.binaryData));
}

export function decodeQrPng(png: Uint8Array): { text: string; width: number; height: number } {
  const image = PNG.sync.read(Buffer.from(png));
  return {
    text: decodeRgba(new Uint8ClampedArray(image.data), image.width, image.height),
    width: image.width,
    height: image.height,
  };
}

/** Module matrix of a `qrcode` SVG (true = dark), quiet zone included. */
export function svgModules(svg: string): boolean[][] {
  const size = Number(/viewBox="0 0 (\d+) (\d+)"/.exec(svg)?.[1]);
  if (!Number.isInteger(size) || size <= 0) throw new Error('SVG without a square viewBox');
  const paths = [...svg.matchAll(/<path[^>]*\sstroke="[^"]+"[^>]*\sd="([^"]+)"/g)].map((m) => m[1]!);
  if (paths.length !== 1) throw new Error('expected one stroked path');
  const grid = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  let x = 0;
  let y = 0;
  for (const [, cmd, a, b] of paths[0]!.matchAll(/([MmHhVv])\s*(-?[\d.]+)(?:[\s,]+(-?[\d.]+))?/g)) {
    const n1 = Number(a);
    const n2 = Number(b);
    switch (cmd) {
      case 'M':
        x = n1;
        y = n2;
        break;
      case 'm':
        x += n1;
        y += n2;
        break;
      case 'h':
      case 'H': {
        const to = cmd === 'h' ? x + n1 : n1;
        const row = Math.floor(y);
        for (let c = Math.min(x, to); c < Math.max(x, to); c++) grid[row]![c] = true;
        x = to;
        break;
      }
      default:
        throw new Error(`unexpected path command ${cmd}`);
    }
  }
  return grid;
}

export function decodeQrSvg(svg: string, scale = 4): string {
  const modules = svgModules(svg);
  const n = modules.length * scale;
  const data = new Uint8ClampedArray(n * n * 4);
  for (let py = 0; py < n; py++) {
    for (let px = 0; px < n; px++) {
      const dark = modules[Math.floor(py / scale)]![Math.floor(px / scale)];
      const i = (py * n + px) * 4;
      const v = dark ? 0 : 255;
      data[i] = v;
      data[i + 1] = v;
      data[i + 2] = v;
      data[i + 3] = 255;
    }
  }
  return decodeRgba(data, n, n);
}
