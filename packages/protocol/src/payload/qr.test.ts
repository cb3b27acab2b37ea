import { createRequire } from 'node:module';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../test/vectors.js';
import { PayloadFormatError, ProtocolError } from '../errors.js';
import {
  checkQrCapacity,
  decodeScannedBytes,
  QR_BYTE_CAPACITY,
  type QrErrorCorrectionLevel,
  qrPayloadBytes,
} from './qr.js';

const require = createRequire(import.meta.url);
const LEVELS: QrErrorCorrectionLevel[] = ['L', 'M', 'Q', 'H'];

describe('QR capacity', () => {
  it('matches the byte-mode capacities of the qrcode package for all 40 versions and 4 levels', () => {
    const version = require('qrcode/lib/core/version.js');
    const ecLevel = require('qrcode/lib/core/error-correction-level.js');
    const mode = require('qrcode/lib/core/mode.js');
    for (const level of LEVELS) {
      const table = QR_BYTE_CAPACITY[level];
      expect(table.length).toBe(40);
      for (let v = 1; v <= 40; v++) {
        expect(table[v - 1], `${level} v${v}`).toBe(version.getCapacity(v, ecLevel.from(level), mode.BYTE));
      }
    }
  });

  it('picks the version the qrcode package encodes a byte segment in, at the boundaries', () => {
    for (const level of LEVELS) {
      for (const v of [1, 9, 10, 26, 27]) {
        const capacity = QR_BYTE_CAPACITY[level][v - 1]!;
        for (const bytes of [capacity, capacity + 1]) {
          const data = new Uint8Array(bytes).fill(0x41);
          const qr = QRCode.create([{ data, mode: 'byte' }], { errorCorrectionLevel: level });
          expect(checkQrCapacity(data, level).version, `${level} ${bytes} B`).toBe(qr.version);
        }
      }
    }
  });

  it('holds 2953 bytes at L and throws QR_CAPACITY_EXCEEDED beyond each level maximum', () => {
    expect(checkQrCapacity('x'.repeat(2953))).toEqual({
      bytes: 2953,
      ecLevel: 'L',
      version: 40,
      capacity: 2953,
    });
    expect(checkQrCapacity('ž'.repeat(10), 'H')).toEqual({
      bytes: 20,
      ecLevel: 'H',
      version: 3,
      capacity: 24,
    });
    try {
      checkQrCapacity('x'.repeat(2412), 'M');
      expect.unreachable();
    } catch (e) {
      expect((e as PayloadFormatError).reason).toBe('QR_CAPACITY_EXCEEDED');
      expect((e as PayloadFormatError).message).toBe(
        'payload is 2412 bytes; a byte-mode QR at level M holds at most 2331 bytes (use level L or shorten the title/message)',
      );
    }
    expect(() => checkQrCapacity('x'.repeat(2954))).toThrowError(PayloadFormatError);
    expect(() => checkQrCapacity('x', 'X' as QrErrorCorrectionLevel)).toThrowError(ProtocolError);
    expect(() => checkQrCapacity('x', 'toString' as QrErrorCorrectionLevel)).toThrowError(ProtocolError);
  });
});

describe('QR bytes', () => {
  it('encodes exactly UTF-8 and decodes scans strictly, keeping a BOM', () => {
    expect(Array.from(qrPayloadBytes('ž'))).toEqual([0xc5, 0xbe]);
    expect(() => qrPayloadBytes('\uD800')).toThrowError(PayloadFormatError);
    const scanned = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('op\nů')]);
    const text = decodeScannedBytes(scanned);
    expect(text).toBe('\uFEFFop\nů');
    expect(Array.from(utf8(text))).toEqual(Array.from(scanned));
    try {
      // ISO-8859-1 "ž" as a reader's wrong charset guess would produce: not UTF-8.
      decodeScannedBytes(new Uint8Array([0x9e]));
      expect.unreachable();
    } catch (e) {
      expect((e as PayloadFormatError).reason).toBe('INVALID_UTF8');
    }
  });
});
