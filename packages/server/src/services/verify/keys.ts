/**
 * The factor keys of one verification, derived once per request (server.md §3.5 step 7): only the keys the
 * search uses — possession and knowledge, biometry only when the request allows it and the activation has it
 * enabled. V3's transport and vault keys and V4's utility branch are never derived here (nothing offline
 * verifies with them), so each request computes and wipes fewer secrets.
 */
import { kdfV3, kdfV4, V3_KEY_INDEX, V4_LABELS } from '@offcode/protocol';
import type { ServerContext } from '../../context.js';
import { openActivationSecret, openMasterSecretV3 } from '../../keys.js';
import type { ActivationRow } from '../../repo/rows.js';

export interface FactorKeys {
  possession: Uint8Array;
  knowledge: Uint8Array;
  /** Null unless asked for (`withBiometry`). */
  biometry: Uint8Array | null;
  /** Zeroes the keys (called in `finally` by the one user). */
  wipe(): void;
}

function withWipe(possession: Uint8Array, knowledge: Uint8Array, biometry: Uint8Array | null): FactorKeys {
  return {
    possession,
    knowledge,
    biometry,
    wipe: () => {
      possession.fill(0);
      knowledge.fill(0);
      biometry?.fill(0);
    },
  };
}

/** V3: KEY_MASTER_SECRET (sealed copy, or ECDH for older rows) → factor keys. */
function factorKeysV3(ctx: ServerContext, row: ActivationRow, withBiometry: boolean): FactorKeys {
  const master = openMasterSecretV3(ctx, row);
  try {
    return withWipe(
      kdfV3(ctx.suite, master, V3_KEY_INDEX.possession),
      kdfV3(ctx.suite, master, V3_KEY_INDEX.knowledge),
      withBiometry ? kdfV3(ctx.suite, master, V3_KEY_INDEX.biometry) : null,
    );
  } finally {
    master.fill(0);
  }
}

/** V4: decrypt KEY_ACTIVATION_SECRET → KDK `auth` → `auth/possession|knowledge|biometry`. */
function factorKeysV4(ctx: ServerContext, row: ActivationRow, withBiometry: boolean): FactorKeys {
  const secret = openActivationSecret(ctx, row);
  let auth: Uint8Array | null = null;
  try {
    auth = kdfV4(ctx.suite, secret, V4_LABELS.kdkAuthenticationCode);
    return withWipe(
      kdfV4(ctx.suite, auth, V4_LABELS.possession),
      kdfV4(ctx.suite, auth, V4_LABELS.knowledge),
      withBiometry ? kdfV4(ctx.suite, auth, V4_LABELS.biometry) : null,
    );
  } finally {
    auth?.fill(0);
    secret.fill(0);
  }
}

/** The factor keys of `row`; the biometry key only when `withBiometry` (the search tries that factor). */
export function deriveFactorKeys(ctx: ServerContext, row: ActivationRow, withBiometry: boolean): FactorKeys {
  return row.protocolVersion === 3
    ? factorKeysV3(ctx, row, withBiometry)
    : factorKeysV4(ctx, row, withBiometry);
}
