import type { OfflinePayload } from '@offcode/protocol';

/**
 * The JSON form of a parsed payload (payload.md §5.1, client.md §5.3): every field except `signature` and
 * `signedBytes`, keys in the documented order.
 */
export function payloadToJson(p: OfflinePayload): Record<string, unknown> {
  return {
    operationId: p.operationId,
    title: p.title,
    message: p.message,
    operationData: p.operationData,
    flags: p.flags,
    totp: p.totp,
    extraLines: p.extraLines,
    isNewerFormat: p.isNewerFormat,
    nonce: p.nonce,
    keyType: p.keyType,
    signingKey: p.signingKey,
    signatureBase64: p.signatureBase64,
    signedData: p.signedData,
    dataForOfflineSigning: p.dataForOfflineSigning,
  };
}

/** Pretty-printed (2 spaces), newline-terminated. */
export const printJson = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';
