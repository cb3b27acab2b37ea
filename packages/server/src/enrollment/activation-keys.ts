/** The activation's keys the enrollment endpoints need, derived on demand and wiped by the caller. */
import { deriveKeysV3 } from '@offcode/protocol';
import type { ServerContext } from '../context.js';
import { openMasterSecretV3 } from '../keys.js';
import type { ActivationRow } from '../repo/rows.js';

/** True when the row holds the V3 keys a status blob or an online signature needs. */
export const hasV3Keys = (row: ActivationRow): boolean =>
  row.protocolVersion === 3 && row.serverPrivateKey !== null && row.devicePublicKey !== null;

/** V3 KEY_TRANSPORT and the three signature keys of an activation (from its KEY_MASTER_SECRET). */
export function activationKeysV3(ctx: ServerContext, row: ActivationRow) {
  const master = openMasterSecretV3(ctx, row);
  const keys = deriveKeysV3(ctx.suite, master);
  master.fill(0);
  keys.vault.fill(0);
  return {
    transport: keys.transport,
    possession: keys.possession,
    knowledge: keys.knowledge,
    biometry: keys.biometry,
    wipe(): void {
      for (const k of [keys.transport, keys.possession, keys.knowledge, keys.biometry]) k.fill(0);
    },
  };
}
