/** Shape checks of the identifiers PowerAuth 3.3 carries in headers, JWT claims and ECIES parameters. */
import { tryDecodeBase64Strict } from '../base64.js';
import { ProtocolError } from '../errors.js';

/**
 * Activation IDs are UUIDs in their canonical lower-case text (what `UUID.toString()` and the Offcode server
 * write), version 1-5 and the RFC 4122 variant, as REST's header validator requires.
 */
const ACTIVATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Temporary key IDs are server-chosen (UUIDs in PowerAuth and Offcode); letters, digits and `-` only. */
const TEMPORARY_KEY_ID = /^[A-Za-z0-9-]{1,64}$/;

export function isActivationId(value: unknown): value is string {
  return typeof value === 'string' && ACTIVATION_ID.test(value);
}

export function checkActivationId(value: unknown, field = 'activationId'): string {
  if (!isActivationId(value)) {
    throw new ProtocolError(
      'INVALID_DATA',
      field,
      'must be a lower-case UUID (version 1-5, RFC 4122 variant)',
    );
  }
  return value;
}

export function checkTemporaryKeyId(value: unknown, field = 'temporaryKeyId'): string {
  if (typeof value !== 'string' || !TEMPORARY_KEY_ID.test(value)) {
    throw new ProtocolError('INVALID_DATA', field, 'must be 1 to 64 letters, digits or "-"');
  }
  return value;
}

/**
 * APP_KEY / APP_SECRET: the Base64 text of 16 bytes. The text is what ECIES and the signatures use, so it
 * is returned unchanged; strict decoding makes it the only text of those bytes.
 */
export function checkApplicationCredential(value: unknown, field: string): string {
  const bytes = tryDecodeBase64Strict(value);
  if (bytes === null || bytes.length !== 16) {
    throw new ProtocolError('INVALID_DATA', field, 'must be the canonical Base64 text of 16 bytes');
  }
  return value as string;
}
