/**
 * Offline payload signatures (crypto.md 7): key types 0/1 ECDSA DER (P-256/SHA-256 for V3, P-384/SHA-384
 * for V4) and key type 2 KMAC256 `PA4MAC-QR` (V4 personalized).
 */

import { equalBytes } from '@noble/curves/utils.js';
import { isWellFormedString, utf8Encode } from './base64.js';
import { EcdsaSigningKey, signEcdsaDer, verifyEcdsaDer } from './ecdsa.js';
import { ProtocolError } from './errors.js';
import { assemblePayload } from './payload/build.js';
import type { KeyType, OfflinePayload } from './payload/types.js';
import { type CryptoSuite, checkSuite } from './suite.js';
import { type ProtocolVersion, protocolParameters } from './versions.js';

/** KMAC customization of the key type 2 tag. */
export const PAYLOAD_MAC_CUSTOMIZATION = 'PA4MAC-QR';

/** True when `keyType` is valid for an activation of `protocol` (V3 {0, 1}, V4 {0, 2}; `PROTOCOL_PARAMETERS`). */
export function isKeyTypeValidFor(protocol: ProtocolVersion, keyType: number): boolean {
  return protocolParameters(protocol).validKeyTypes.includes(keyType as KeyType);
}

function checkMacKey(macKey: unknown): Uint8Array {
  if (!(macKey instanceof Uint8Array) || macKey.length !== 32) {
    throw new ProtocolError('INVALID_KEY', 'macKey', 'must be the 32-byte KEY_MAC_PERSONALIZED_DATA');
  }
  return macKey;
}

/** tag = KMAC256(K = KEY_MAC_PERSONALIZED_DATA, X = signed bytes, L = 256, S = "PA4MAC-QR"), 32 bytes. */
export function macPayloadV4(suite: CryptoSuite, macKey: Uint8Array, signedBytes: Uint8Array): Uint8Array {
  if (!(signedBytes instanceof Uint8Array)) {
    throw new ProtocolError('INVALID_DATA', 'signedBytes', 'must be a Uint8Array');
  }
  return checkSuite(suite).engine.kmac256(checkMacKey(macKey), signedBytes, {
    customization: PAYLOAD_MAC_CUSTOMIZATION,
    dkLen: 32,
  });
}

export interface SignOfflinePayloadInput {
  /** The text from `composeSignedData` (ends with LF and the key-type digit). */
  signedData: string;
  keyType: KeyType;
  protocol: ProtocolVersion;
  /**
   * ECDSA private key for key types 0 and 1 (P-256 for V3, P-384 for V4; Java forms accepted), or the same
   * key prepared once with `prepareEcdsaSigningKey` (a signer that signs repeatedly with one key).
   */
  privateKey?: Uint8Array | EcdsaSigningKey;
  /** KEY_MAC_PERSONALIZED_DATA for key type 2. */
  macKey?: Uint8Array;
}

/** Signs the composed text and returns the complete payload (QR text). */
export function signOfflinePayload(suite: CryptoSuite, input: SignOfflinePayloadInput): string {
  const { signedData, keyType, protocol, privateKey, macKey } = input;
  const params = protocolParameters(protocol);
  if (!isKeyTypeValidFor(protocol, keyType)) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      'keyType',
      `key type ${String(keyType)} is not valid for protocol V${protocol}`,
    );
  }
  if (
    typeof signedData !== 'string' ||
    !isWellFormedString(signedData) ||
    !signedData.endsWith(`\n${keyType}`)
  ) {
    throw new ProtocolError(
      'INVALID_DATA',
      'signedData',
      'must be the composed text ending with LF and the key-type digit',
    );
  }
  const bytes = utf8Encode(signedData, 'signedData');
  let signature: Uint8Array;
  if (keyType === 2) {
    signature = macPayloadV4(suite, checkMacKey(macKey), bytes);
  } else {
    if (!(privateKey instanceof Uint8Array || privateKey instanceof EcdsaSigningKey)) {
      throw new ProtocolError('INVALID_KEY', 'privateKey', 'is required for key types 0 and 1');
    }
    signature = signEcdsaDer(suite, params.curve, privateKey, bytes);
  }
  return assemblePayload(signedData, signature);
}

export interface VerifyPayloadKeys {
  protocol: ProtocolVersion;
  /** Application master public key (key type 0): P-256 for V3, P-384 for V4. */
  masterPublicKey?: Uint8Array;
  /** The activation's KEY_SERVER_PUBLIC (key type 1, V3). */
  serverPublicKey?: Uint8Array;
  /** KEY_MAC_PERSONALIZED_DATA (key type 2, V4). */
  macKey?: Uint8Array;
}

/**
 * Verifies a parsed payload's signature over its received signed bytes. Returns false for a key type that
 * is invalid for the protocol (the caller reports WRONG_ACTIVATION by checking `isKeyTypeValidFor` first)
 * and for a wrong signature; throws `ProtocolError` `INVALID_KEY` when the key needed is missing or invalid.
 * The key type 2 tag is compared in constant time.
 */
export function verifyOfflinePayloadSignature(
  suite: CryptoSuite,
  payload: OfflinePayload,
  keys: VerifyPayloadKeys,
): boolean {
  const params = protocolParameters(keys?.protocol, 'keys.protocol');
  if (!params.validKeyTypes.includes(payload.keyType)) return false;
  if (payload.keyType === 2) {
    const expected = macPayloadV4(suite, checkMacKey(keys.macKey), payload.signedBytes);
    return equalBytes(expected, payload.signature);
  }
  const publicKey = payload.keyType === 0 ? keys.masterPublicKey : keys.serverPublicKey;
  if (!(publicKey instanceof Uint8Array)) {
    const field = payload.keyType === 0 ? 'masterPublicKey' : 'serverPublicKey';
    throw new ProtocolError('INVALID_KEY', field, `is required to verify key type ${payload.keyType}`);
  }
  return verifyEcdsaDer(suite, params.curve, publicKey, payload.signedBytes, payload.signature);
}
