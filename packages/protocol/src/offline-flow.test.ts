/**
 * The whole offline flow, nothing mocked: the issuer builds and signs a payload, the token scans, parses
 * and verifies it and computes a code with @offcode/crypto-wasm, the user types the displayed code, the
 * verifier rebuilds the normalized data from its own side and `searchOfflineCode` finds the code.
 * V3 and V4, with and without the proximity TOTP, lengths 4..8, both crypto backends.
 */

import { getNobleCrypto, getWasmCrypto, type OffcodeCrypto } from '@offcode/crypto-wasm';
import { describe, expect, it } from 'vitest';
import { SUITE, suiteOf } from '../test/suites.js';
import { formatCodeForDisplay, normalizeTypedCode } from './code.js';
import { generateCounterData, nextCounterData } from './keys/counter.js';
import { compressPublicKey, generateKeyPair } from './keys/ec.js';
import { deriveKeysV3, deriveMasterSecretV3 } from './keys/v3.js';
import { deriveActivationSecretV4, deriveKeysV4 } from './keys/v4.js';
import {
  buildOfflineBody,
  buildRequestData,
  normalizedDataForPayload,
  parseVerifyData,
  verifyDataCandidates,
} from './normalized-data.js';
import { paymentOperationData } from './operation-data/build.js';
import { buildPayloadData, composeSignedData, generateNonce } from './payload/build.js';
import { parseOfflinePayloadOrThrow } from './payload/parse.js';
import { checkQrCapacity, decodeScannedBytes, qrPayloadBytes } from './payload/qr.js';
import type { KeyType } from './payload/types.js';
import { isKeyTypeValidFor, signOfflinePayload, verifyOfflinePayloadSignature } from './signature.js';
import { totp, totpCandidates } from './totp.js';

type Backend = 'wasm' | 'noble';
const BACKENDS: Record<Backend, () => OffcodeCrypto> = { wasm: getWasmCrypto, noble: getNobleCrypto };

interface Scenario {
  protocol: 3 | 4;
  keyType: KeyType;
  proximity: boolean;
}

const SCENARIOS: Scenario[] = [
  { protocol: 3, keyType: 0, proximity: false },
  { protocol: 3, keyType: 1, proximity: false },
  { protocol: 3, keyType: 1, proximity: true },
  { protocol: 4, keyType: 0, proximity: false },
  { protocol: 4, keyType: 2, proximity: false },
  { protocol: 4, keyType: 2, proximity: true },
];

const LENGTHS = [4, 5, 6, 7, 8];
const STEP = 30;
const ISSUED_AT = 1_760_000_000;

/** An activation: the same keys derived independently on the token and on the server. */
function activate(protocol: 3 | 4) {
  const curve = protocol === 3 ? 'P-256' : 'P-384';
  const device = generateKeyPair(SUITE, curve);
  const server = generateKeyPair(SUITE, curve);
  if (protocol === 3) {
    // The mobile SDK sends a compressed device key; PowerAuth stores the server key uncompressed.
    const tokenSecret = deriveMasterSecretV3(SUITE, device.privateKey, server.publicKey);
    const serverSecret = deriveMasterSecretV3(
      SUITE,
      server.privateKey,
      compressPublicKey(curve, device.publicKey),
    );
    expect(tokenSecret).toEqual(serverSecret);
    const t = deriveKeysV3(SUITE, tokenSecret);
    const s = deriveKeysV3(SUITE, serverSecret);
    return { server, token: { ...t, mac: undefined }, verifier: { ...s, mac: undefined } };
  }
  const tokenSecret = deriveActivationSecretV4(SUITE, device.privateKey, server.publicKey);
  const serverSecret = deriveActivationSecretV4(
    SUITE,
    server.privateKey,
    compressPublicKey(curve, device.publicKey),
  );
  expect(tokenSecret).toEqual(serverSecret);
  const t = deriveKeysV4(SUITE, tokenSecret);
  const s = deriveKeysV4(SUITE, serverSecret);
  return {
    server,
    token: { ...t, mac: t.macPersonalizedData },
    verifier: { ...s, mac: s.macPersonalizedData },
  };
}

describe.each(Object.keys(BACKENDS) as Backend[])('full offline flow (%s backend)', (backend) => {
  const crypto = BACKENDS[backend]();
  const signer = backend === 'wasm' ? 'node' : 'noble';
  const checker = signer === 'node' ? 'noble' : 'node';

  it.each(SCENARIOS.flatMap((s) => LENGTHS.map((length) => ({ ...s, length }))))(
    'V$protocol key type $keyType, proximity $proximity, L = $length',
    ({ protocol, keyType, proximity, length }) => {
      const curve = protocol === 3 ? 'P-256' : 'P-384';
      const { server, token, verifier } = activate(protocol);
      const appMaster = generateKeyPair(SUITE, curve);
      const seed = generateCounterData(3); // 16 random bytes, the proximity seed
      let tokenCounter: Uint8Array = generateCounterData(protocol);
      let storedCounter: Uint8Array = tokenCounter.slice();

      // Issuer: operation data, data block, nonce, TOTP, signature.
      const operationId = globalThis.crypto.randomUUID();
      const operationData = paymentOperationData({
        amount: '1250.50',
        currency: 'CZK',
        iban: 'CZ6508000000192000145399',
        reference: '/VS123*456',
        dueDate: '2026-01-31',
        note: 'Nájem září \\ říjen',
      });
      const data = buildPayloadData({
        operationId,
        title: 'Platba',
        message: 'Potvrďte platbu 1 250,50 Kč\npříjemci *Novák*',
        operationData,
        flags: { biometricsAllowed: true },
      });
      const nonce = generateNonce();
      const issuedTotp = proximity ? totp(SUITE, seed, ISSUED_AT, { step: STEP }) : undefined;
      const signedData = composeSignedData({ data, totp: issuedTotp, nonce, keyType });
      const payload = signOfflinePayload(suiteOf(signer), {
        signedData,
        keyType,
        protocol,
        privateKey: keyType === 0 ? appMaster.privateKey : server.privateKey,
        macKey: verifier.mac,
      });
      expect(payload.startsWith(signedData)).toBe(true);
      expect(checkQrCapacity(payload, 'M').version).toBeLessThanOrEqual(15);

      // Token: scan, parse, check the key type and the signature, compute the code, advance the counter.
      const parsed = parseOfflinePayloadOrThrow(decodeScannedBytes(qrPayloadBytes(payload)));
      expect(parsed.totp).toBe(issuedTotp ?? null);
      expect(isKeyTypeValidFor(protocol, parsed.keyType)).toBe(true);
      const keys = {
        protocol,
        masterPublicKey: appMaster.publicKey,
        serverPublicKey: protocol === 3 ? server.publicKey : undefined,
        macKey: token.mac,
        impl: checker,
      } as const;
      expect(verifyOfflinePayloadSignature(SUITE, parsed, keys)).toBe(true);
      expect(parsed.flags.biometricsAllowed).toBe(true);
      const useBiometry = length % 2 === 1;
      const tokenData = normalizedDataForPayload(parsed);
      const code = crypto.computeAuthCode({
        protocol,
        keys: [token.possession, useBiometry ? token.biometry : token.knowledge],
        counter: tokenCounter,
        data: tokenData,
        length,
      });
      tokenCounter = nextCounterData(SUITE, protocol, tokenCounter);

      // User: reads the display form and types it with spaces.
      const typed = normalizeTypedCode(` ${formatCodeForDisplay(code).replace(/-/g, ' ')} `, {
        componentLength: length,
      });
      expect(typed).toBe(code);

      // Verifier: request data from its own values (no TOTP, no "&offline"), TOTP candidates 31 s later.
      const apiData = buildRequestData({ nonce, body: buildOfflineBody({ operationId, operationData }) });
      const parsedData = parseVerifyData(apiData, { nonceLength16: true });
      const candidates = verifyDataCandidates(
        parsedData,
        proximity ? totpCandidates(SUITE, seed, ISSUED_AT + 31, STEP, 2) : null,
      );
      const search = (submitted: string) =>
        crypto.searchOfflineCode({
          protocol,
          possessionKey: verifier.possession,
          factors: [
            { type: 'possession_knowledge', key: verifier.knowledge },
            { type: 'possession_biometry', key: verifier.biometry },
          ],
          counter: storedCounter,
          window: 20,
          data: candidates,
          code: submitted,
          length,
        });
      const result = search(typed);
      expect(result).toMatchObject({
        match: true,
        candidate: proximity ? 1 : 0,
        position: 0,
        type: useBiometry ? 'possession_biometry' : 'possession_knowledge',
        counterIncrement: 1,
      });
      if (!result.match) return;
      expect(result.nextCounter).toEqual(tokenCounter);
      storedCounter = result.nextCounter;

      // A replayed code no longer matches; a code with one digit changed never matched.
      expect(search(typed).match).toBe(false);
      const wrong = typed.replace(/^(\d)/, (d) => String((Number(d) + 1) % 10));
      expect(search(wrong).match).toBe(false);
      // Without the TOTP in its DATA the token's code would not have matched (proximity is enforced).
      if (proximity) {
        const withoutTotp = crypto.computeAuthCode({
          protocol,
          keys: [token.possession, token.knowledge],
          counter: storedCounter,
          data: verifyDataCandidates(apiData, null)[0]!,
          length,
        });
        const next = crypto.searchOfflineCode({
          protocol,
          possessionKey: verifier.possession,
          factors: [{ type: 'possession_knowledge', key: verifier.knowledge }],
          counter: storedCounter,
          window: 20,
          data: candidates,
          code: withoutTotp,
          length,
        });
        expect(next.match).toBe(false);
      }
    },
  );
});
