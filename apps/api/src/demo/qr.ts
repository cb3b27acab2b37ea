/**
 * QR rendering of payload text (payload.md §6): one byte-mode segment holding exactly the UTF-8 bytes, no
 * ECI, no mode optimisation, error correction L by default, quiet zone 4, PNG at 8 px per module or SVG.
 * The capacity check runs first, so an oversized text is an error, never a truncated or split symbol.
 */
import { checkQrCapacity, qrPayloadBytes } from '@offcode/protocol';
import QRCode from 'qrcode';

export type QrLevel = 'L' | 'M' | 'Q' | 'H';

function segments(text: string, level: QrLevel) {
  checkQrCapacity(text, level);
  const bytes = qrPayloadBytes(text);
  // `qrcode` takes byte-mode data as a Uint8ClampedArray / Buffer; a plain string would be split into
  // numeric/alphanumeric segments and change what a reader reports.
  return [{ data: Buffer.from(bytes), mode: 'byte' as const }];
}

export async function renderQrPng(text: string, level: QrLevel = 'L', scale = 8): Promise<Buffer> {
  return QRCode.toBuffer(segments(text, level), {
    type: 'png',
    errorCorrectionLevel: level,
    margin: 4,
    scale,
  });
}

export async function renderQrSvg(text: string, level: QrLevel = 'L'): Promise<string> {
  return QRCode.toString(segments(text, level), { type: 'svg', errorCorrectionLevel: level, margin: 4 });
}
