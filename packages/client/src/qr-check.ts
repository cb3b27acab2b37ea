/**
 * The QR check (client.md §3.2): parse the payload, match its key type to the activation's protocol and
 * verify its signature or MAC with this activation's keys. Nothing from an unverified payload is returned.
 */
import {
  type CryptoSuite,
  PROTOCOL_PARAMETERS,
  parseOfflinePayload,
  tryUtf8Decode,
  verifyOfflinePayloadSignature,
} from '@offcode/protocol';
import { OffcodeClientError } from './errors.js';
import type { TokenState } from './state.js';
import type { ApprovalMethod, ScannedOperation } from './types.js';

function parsePayloadInput(input: string | Uint8Array) {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new OffcodeClientError('INVALID_INPUT', 'payload must be a string or bytes');
  }
  // Strict UTF-8 (protocol falls back to plain JS where TextDecoder is missing, e.g. on Hermes).
  const text = typeof input === 'string' ? input : tryUtf8Decode(input);
  if (text === null) {
    throw new OffcodeClientError('INVALID_QR', 'payload bytes are not valid UTF-8', {
      reason: 'INVALID_UTF8',
    });
  }
  const parsed = parseOfflinePayload(text);
  if (!parsed.ok) {
    throw new OffcodeClientError('INVALID_QR', parsed.error.message, {
      reason: parsed.error.reason,
      cause: parsed.error,
    });
  }
  return parsed.value;
}

export function verifyPayload(
  suite: CryptoSuite,
  state: TokenState,
  input: string | Uint8Array,
): ScannedOperation {
  const payload = parsePayloadInput(input);
  const { keyType } = payload;
  const protocol = state.protocol;
  if (!PROTOCOL_PARAMETERS[protocol].validKeyTypes.includes(keyType)) {
    throw new OffcodeClientError(
      'WRONG_ACTIVATION',
      `the payload is personalized for a protocol ${keyType === 1 ? 3 : 4} activation, not this one`,
    );
  }
  let valid = false;
  try {
    if (keyType === 0) {
      valid = state.masterPublicKeys.some((masterPublicKey) =>
        verifyOfflinePayloadSignature(suite, payload, { protocol, masterPublicKey }),
      );
    } else if (keyType === 1) {
      valid = verifyOfflinePayloadSignature(suite, payload, {
        protocol,
        serverPublicKey: state.serverPublicKey,
      });
    } else if (state.macKey) {
      valid = verifyOfflinePayloadSignature(suite, payload, { protocol, macKey: state.macKey });
    }
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new OffcodeClientError(
      'SIGNATURE_INVALID',
      keyType === 0
        ? 'the payload signature does not verify with the application master key'
        : 'the payload was not issued for this activation, or modified',
    );
  }
  const allowed: ApprovalMethod[] = ['pin'];
  if (payload.flags.biometricsAllowed && state.biometryKey !== null) allowed.push('biometry');
  return Object.freeze({ payload, allowed: Object.freeze(allowed) });
}

/** The payload text of a scanned operation (approve re-verifies from it). */
export function payloadText(op: ScannedOperation): string {
  const p = op?.payload;
  if (!p || typeof p.signedData !== 'string' || typeof p.signatureBase64 !== 'string') {
    throw new OffcodeClientError('INVALID_INPUT', 'operation must come from scan() or be the payload text');
  }
  return p.signedData + p.signatureBase64;
}
