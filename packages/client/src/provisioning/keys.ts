/** Activation keys from the ECDH of the device and server keys (crypto.md §2.1-2.2 V3, §4.2-4.3 V4). */
import {
  type CryptoSuite,
  deriveActivationSecretV4,
  deriveKeysV3,
  deriveKeysV4,
  deriveMasterSecretV3,
} from '@offcode/protocol';
import type { Protocol } from '../state.js';

export interface ActivationKeys {
  possession: Uint8Array;
  knowledge: Uint8Array;
  biometry: Uint8Array;
  /** V4: KEY_MAC_PERSONALIZED_DATA; V3: null. */
  macKey: Uint8Array | null;
  /** V3: KEY_TRANSPORT; V4: null. */
  transport: Uint8Array | null;
  /** Every buffer to zero once the state is written (the kept keys are copied into the state). */
  secrets: Uint8Array[];
}

export function deriveActivationKeys(
  suite: CryptoSuite,
  protocol: Protocol,
  devicePrivateKey: Uint8Array,
  serverPublicKey: Uint8Array,
): ActivationKeys {
  if (protocol === 3) {
    const master = deriveMasterSecretV3(suite, devicePrivateKey, serverPublicKey);
    const keys = deriveKeysV3(suite, master);
    return {
      possession: keys.possession,
      knowledge: keys.knowledge,
      biometry: keys.biometry,
      macKey: null,
      transport: keys.transport,
      secrets: [master, keys.knowledge, keys.biometry, keys.transport, keys.vault],
    };
  }
  const activationSecret = deriveActivationSecretV4(suite, devicePrivateKey, serverPublicKey);
  const keys = deriveKeysV4(suite, activationSecret);
  return {
    possession: keys.possession,
    knowledge: keys.knowledge,
    biometry: keys.biometry,
    macKey: keys.macPersonalizedData,
    transport: null,
    secrets: [activationSecret, keys.knowledge, keys.biometry, keys.macCtrData],
  };
}
