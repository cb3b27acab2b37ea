/** The factor keys of one verification, derived once per request (server.md §3.5 step 7). */
import { deriveKeysV3, deriveKeysV4, deriveMasterSecretV3, ProtocolError } from '@offcode/protocol';
import type { ServerContext } from '../../context.js';
import { OffcodeError } from '../../errors.js';
import { openActivationSecret, openServerPrivateKey } from '../../keys.js';
import type { ActivationRow } from '../../repo/rows.js';

export interface FactorKeys {
  possession: Uint8Array;
  knowledge: Uint8Array;
  biometry: Uint8Array;
  /** Zeroes the three keys (called in `finally` by the one user). */
  wipe(): void;
}

function withWipe(keys: { possession: Uint8Array; knowledge: Uint8Array; biometry: Uint8Array }): FactorKeys {
  const { possession, knowledge, biometry } = keys;
  return {
    possession,
    knowledge,
    biometry,
    wipe: () => {
      for (const k of [possession, knowledge, biometry]) k.fill(0);
    },
  };
}

/** V3: decrypt the server private key, ECDH with the device key → KEY_MASTER_SECRET → factor keys. */
function factorKeysV3(ctx: ServerContext, row: ActivationRow): FactorKeys {
  if (!row.devicePublicKey)
    throw new OffcodeError('ERR0010', 'Stored device public key is missing.', { kind: 'internal' });
  const privateKey = openServerPrivateKey(ctx, row);
  try {
    const master = deriveMasterSecretV3(ctx.suite, privateKey, row.devicePublicKey);
    const keys = deriveKeysV3(ctx.suite, master);
    master.fill(0);
    keys.transport.fill(0);
    keys.vault.fill(0);
    return withWipe(keys);
  } catch (error) {
    if (error instanceof ProtocolError)
      throw new OffcodeError('ERR0010', 'Stored key cannot be parsed.', { cause: error, kind: 'internal' });
    throw error;
  } finally {
    privateKey.fill(0);
  }
}

/** V4: decrypt KEY_ACTIVATION_SECRET → `auth/possession|knowledge|biometry`. */
function factorKeysV4(ctx: ServerContext, row: ActivationRow): FactorKeys {
  const secret = openActivationSecret(ctx, row);
  try {
    const keys = deriveKeysV4(ctx.suite, secret);
    keys.macPersonalizedData.fill(0);
    keys.macCtrData.fill(0);
    return withWipe(keys);
  } finally {
    secret.fill(0);
  }
}

export function deriveFactorKeys(ctx: ServerContext, row: ActivationRow): FactorKeys {
  return row.protocolVersion === 3 ? factorKeysV3(ctx, row) : factorKeysV4(ctx, row);
}
