/**
 * Putting the payload into a QR symbol (payload.md 6): one byte-mode segment with exactly UTF-8(payload),
 * no ECI. Capacities are the ISO/IEC 18004 byte-mode limits per version (1..40) and error-correction level.
 */
import { isWellFormedString, tryUtf8Decode, utf8Encode } from '../base64.js';
import { PayloadFormatError, ProtocolError } from '../errors.js';

export type QrErrorCorrectionLevel = 'L' | 'M' | 'Q' | 'H';

/** Byte-mode capacity (bytes in one segment) of QR versions 1..40 (index 0 = version 1). */
export const QR_BYTE_CAPACITY: Readonly<Record<QrErrorCorrectionLevel, readonly number[]>> = Object.freeze({
  L: [
    17, 32, 53, 78, 106, 134, 154, 192, 230, 271, 321, 367, 425, 458, 520, 586, 644, 718, 792, 858, 929, 1003,
    1091, 1171, 1273, 1367, 1465, 1528, 1628, 1732, 1840, 1952, 2068, 2188, 2303, 2431, 2563, 2699, 2809,
    2953,
  ],
  M: [
    14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779,
    857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
  ],
  Q: [
    11, 20, 32, 46, 60, 74, 86, 108, 130, 151, 177, 203, 241, 258, 292, 322, 364, 394, 442, 482, 509, 565,
    611, 661, 715, 751, 805, 868, 908, 982, 1030, 1112, 1168, 1228, 1283, 1351, 1423, 1499, 1579, 1663,
  ],
  H: [
    7, 14, 24, 34, 44, 58, 64, 84, 98, 119, 137, 155, 177, 194, 220, 250, 280, 310, 338, 382, 403, 439, 461,
    511, 535, 593, 625, 658, 698, 742, 790, 842, 898, 958, 983, 1051, 1093, 1139, 1219, 1273,
  ],
});

export interface QrCapacity {
  /** UTF-8 length of the payload. */
  bytes: number;
  ecLevel: QrErrorCorrectionLevel;
  /** Smallest QR version (1..40) whose byte-mode segment holds the payload. */
  version: number;
  /** Byte capacity of that version at that level. */
  capacity: number;
}

/** The bytes to put into the QR byte segment: exactly UTF-8(payload). Lone surrogates -> `INVALID_UTF8`. */
export function qrPayloadBytes(payload: string): Uint8Array {
  if (typeof payload !== 'string' || !isWellFormedString(payload)) {
    throw new PayloadFormatError('INVALID_UTF8', 'payload must be a string without lone UTF-16 surrogates');
  }
  return utf8Encode(payload);
}

/**
 * Checks that the payload fits one byte-mode QR symbol at `ecLevel` and returns the smallest version.
 * Throws `QR_CAPACITY_EXCEEDED` (never truncates, splits or lowers the level).
 */
export function checkQrCapacity(
  payload: string | Uint8Array,
  ecLevel: QrErrorCorrectionLevel = 'L',
): QrCapacity {
  const table = QR_BYTE_CAPACITY[ecLevel];
  if (!table || !Object.hasOwn(QR_BYTE_CAPACITY, ecLevel)) {
    throw new ProtocolError('INVALID_ARGUMENT', 'ecLevel', 'must be "L", "M", "Q" or "H"');
  }
  const bytes = payload instanceof Uint8Array ? payload.length : qrPayloadBytes(payload).length;
  const index = table.findIndex((capacity) => capacity >= bytes);
  if (index < 0) {
    const max = table[table.length - 1]!;
    const hint = ecLevel === 'L' ? 'shorten the title/message' : 'use level L or shorten the title/message';
    throw new PayloadFormatError(
      'QR_CAPACITY_EXCEEDED',
      `payload is ${bytes} bytes; a byte-mode QR at level ${ecLevel} holds at most ${max} bytes (${hint})`,
    );
  }
  return { bytes, ecLevel, version: index + 1, capacity: table[index]! };
}

/**
 * Decodes the raw bytes of a scanned byte segment: strict UTF-8, nothing stripped (a BOM is kept so that
 * re-encoding gives back exactly the scanned bytes). Throws `INVALID_UTF8`.
 */
export function decodeScannedBytes(bytes: Uint8Array): string {
  const text = bytes instanceof Uint8Array ? tryUtf8Decode(bytes) : null;
  if (text === null) throw new PayloadFormatError('INVALID_UTF8', 'scanned bytes are not well-formed UTF-8');
  return text;
}
