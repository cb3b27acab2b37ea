/**
 * Payload input (client.md §5.1): bytes from stdin or `--qr FILE`, at most 64 KiB, exactly one trailing
 * `\n` or `\r\n` removed (shells add one), nothing else trimmed.
 */
import { open } from 'node:fs/promises';
import { CliError, invalidInput } from './errors.js';

export const MAX_INPUT_BYTES = 64 * 1024;

function tooLong(): CliError {
  return new CliError('INVALID_QR', `input is larger than ${MAX_INPUT_BYTES} bytes`, 'PAYLOAD_TOO_LONG');
}

/** What the commands read from: the process's stdin or a test's stream. */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; destroy?(): void };

export async function readStdinBytes(stdin: InputStream): Promise<Uint8Array> {
  if (stdin.isTTY)
    throw invalidInput('no input on stdin (pipe the payload in, e.g. printf \'%s\' "$QR" | offcode …)');
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += b.length;
    if (total > MAX_INPUT_BYTES) {
      stdin.destroy?.();
      throw tooLong();
    }
    chunks.push(b);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export async function readFileBytes(path: string, option: string): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.alloc(MAX_INPUT_BYTES + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_INPUT_BYTES) throw tooLong();
    }
    return new Uint8Array(buf.subarray(0, total));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw invalidInput(`${option} file cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    await handle?.close();
  }
}

/** Removes exactly one trailing LF or CRLF. */
export function stripOneNewline(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  if (n >= 2 && bytes[n - 2] === 0x0d && bytes[n - 1] === 0x0a) return bytes.subarray(0, n - 2);
  if (n >= 1 && bytes[n - 1] === 0x0a) return bytes.subarray(0, n - 1);
  return bytes;
}

/** Strict UTF-8 (no replacement characters, BOM kept so re-encoding gives the same bytes). */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new CliError('INVALID_QR', 'input is not valid UTF-8', 'INVALID_UTF8');
  }
}

export async function readPayloadInput(stdin: InputStream, qrFile: string | undefined): Promise<Uint8Array> {
  const raw = qrFile !== undefined ? await readFileBytes(qrFile, '--qr') : await readStdinBytes(stdin);
  return stripOneNewline(raw);
}
