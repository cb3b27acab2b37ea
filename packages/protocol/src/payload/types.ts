/** Result types of the payload parser (payload.md 5.1). */
import type { PayloadFlags } from '../flags.js';
import type { OperationData } from '../operation-data/types.js';

export type KeyType = 0 | 1 | 2;
export type SigningKey = 'MASTER' | 'PERSONALIZED' | 'PERSONALIZED_MAC';

export interface OfflinePayload {
  operationId: string;
  /** Unescaped title. */
  title: string;
  /** Unescaped message. */
  message: string;
  operationData: OperationData;
  flags: PayloadFlags;
  /** Line 5 when the payload has 8 or more lines (proximity check), else null. */
  totp: string | null;
  /** Lines 6 .. n-3 (future attributes, signed and otherwise ignored). */
  extraLines: string[];
  /** True when extra lines exist: show a "newer format" notice (approval still allowed). */
  isNewerFormat: boolean;
  /** The nonce line as received (canonical Base64 of 16 bytes). */
  nonce: string;
  keyType: KeyType;
  signingKey: SigningKey;
  signatureBase64: string;
  signature: Uint8Array;
  /** The received text through the key-type digit: exactly what was signed. */
  signedData: string;
  signedBytes: Uint8Array;
  /** `OPERATION_ID & OPERATION_DATA [& TOTP]` with the raw line 3: the body of the normalized data. */
  dataForOfflineSigning: string;
}

/** The JSON form (CLI, conformance cases): the payload without `signature` and `signedBytes`. */
export type OfflinePayloadJson = Omit<OfflinePayload, 'signature' | 'signedBytes'>;
