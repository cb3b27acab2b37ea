import { writeFile } from 'node:fs/promises';
import { checkQrCapacity, PayloadFormatError, parseOfflinePayload } from '@offcode/protocol';
import QRCode from 'qrcode';
import { CliError, invalidInput } from '../errors.js';
import { decodeUtf8Strict, readStdinBytes, stripOneNewline } from '../io.js';
import type { CliIo } from '../io-context.js';
import { payloadToJson, printJson } from '../payload-json.js';

/** `offcode qr parse`: payload on stdin → JSON of the parsed payload; invalid → exit 2 with the reason. */
export async function qrParse(io: CliIo): Promise<void> {
  const bytes = stripOneNewline(await readStdinBytes(io.stdin));
  const parsed = parseOfflinePayload(bytes);
  if (!parsed.ok) throw new CliError('INVALID_QR', parsed.error.message, parsed.error.reason);
  io.stdout(printJson(payloadToJson(parsed.value)));
}

export type EcLevel = 'L' | 'M' | 'Q' | 'H';

export interface RenderOptions {
  png?: string;
  svg?: string;
  ec: EcLevel;
}

/** Quiet zone in modules (payload.md §6) and PNG scale in pixels per module (client.md §5.2). */
export const QUIET_ZONE = 4;
export const PNG_SCALE = 8;

/**
 * `offcode qr render`: one byte-mode segment holding exactly the UTF-8 bytes (no ECI, no mode
 * optimisation). The payload grammar is not checked (negative test payloads render too), the capacity is.
 */
export async function qrRender(io: CliIo, opts: RenderOptions): Promise<void> {
  const bytes = stripOneNewline(await readStdinBytes(io.stdin));
  if (bytes.length === 0) throw invalidInput('input is empty: nothing to render');
  const text = decodeUtf8Strict(bytes);
  try {
    checkQrCapacity(text, opts.ec);
  } catch (e) {
    if (e instanceof PayloadFormatError) throw new CliError('QR_CAPACITY_EXCEEDED', e.message);
    throw e;
  }
  const segments = [{ data: Buffer.from(bytes), mode: 'byte' as const }];
  const base = { errorCorrectionLevel: opts.ec, margin: QUIET_ZONE };
  try {
    if (opts.png !== undefined) {
      await QRCode.toFile(opts.png, segments, { ...base, type: 'png', scale: PNG_SCALE });
    } else if (opts.svg !== undefined) {
      const svg = await QRCode.toString(segments, { ...base, type: 'svg' });
      await writeFile(opts.svg, svg);
    } else {
      io.stdout(renderHalfBlocks(QRCode.create(segments, { errorCorrectionLevel: opts.ec }).modules));
    }
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new CliError('STORAGE_FAILURE', `output file cannot be written (${code})`);
    throw new CliError('QR_CAPACITY_EXCEEDED', 'the payload does not fit a QR symbol at this level');
  }
}

/**
 * Two module rows per text line with Unicode half blocks, quiet zone included. Light modules are drawn
 * (like `qrencode -t UTF8`), so the symbol reads correctly on the usual dark-background terminal.
 */
export function renderHalfBlocks(modules: { size: number; get(row: number, col: number): number }): string {
  const size = modules.size + 2 * QUIET_ZONE;
  const light = (r: number, c: number) => {
    const mr = r - QUIET_ZONE;
    const mc = c - QUIET_ZONE;
    if (mr < 0 || mc < 0 || mr >= modules.size || mc >= modules.size) return true;
    return !modules.get(mr, mc);
  };
  let out = '';
  for (let r = 0; r < size; r += 2) {
    let line = '';
    for (let c = 0; c < size; c++) {
      const top = light(r, c);
      const bottom = r + 1 < size ? light(r + 1, c) : false;
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    out += line + '\n';
  }
  return out;
}
