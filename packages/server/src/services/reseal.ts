/**
 * Re-sealing after a key rotation (server.md §5.2): every sealed value not under the current
 * OFFCODE_MASTER_KEY (sealed with a key of OFFCODE_MASTER_KEY_PREVIOUS, or stored in plaintext before a key
 * was configured) is opened and sealed again with the current key, in batches of 100 rows, each row under
 * its row lock. Afterwards the previous keys can be dropped from the configuration. Idempotent.
 */
import type { ServerContext } from '../context.js';
import { OffcodeError } from '../errors.js';
import { type SealedGroup, selectList } from '../sealed-columns.js';
import type { SqlExecutor } from '../storage/types.js';
import { inTransaction, service } from '../transactions.js';

export interface ResealResult {
  /** Values sealed again, per `table.column`. */
  resealed: Record<string, number>;
}

const BATCH = 100;

/** Rows with a value in plaintext or under another key than `$1` (the current key id). */
function needsReseal(g: SealedGroup): string {
  const present = g.columns.map((c) => `t.${c} IS NOT NULL`).join(' OR ');
  const other = g.columns.map((c) => `substring(t.${c} from 2 for 4) <> $1`).join(' OR ');
  return `((t.${g.encryption} = 0 AND (${present})) OR (t.${g.encryption} = 1 AND (${other})))`;
}

async function resealBatch(
  ctx: ServerContext,
  tx: SqlExecutor,
  g: SealedGroup,
  keyId: Uint8Array,
  after: string | null,
): Promise<{ last: string | null; n: number; counts: Record<string, number> }> {
  const counts: Record<string, number> = {};
  const r = await tx.query<Record<string, unknown>>(
    `SELECT ${selectList(g)} FROM ${g.from} WHERE ${needsReseal(g)}${after === null ? '' : ` AND t.${g.key} > $2`}
     ORDER BY t.${g.key} LIMIT ${BATCH} FOR UPDATE OF t`,
    after === null ? [keyId] : [keyId, after],
  );
  for (const row of r.rows) {
    const values = g.columns.map((c) => {
      const stored = row[c];
      if (!(stored instanceof Uint8Array)) return null;
      const text = g.aad(c, row);
      let plain: Uint8Array;
      try {
        plain = ctx.cipher.open(stored, Number(row.e), text);
      } catch (error) {
        // Row keys are ids, not secrets: the operator learns which value stops the re-seal.
        const code = error instanceof OffcodeError ? error.code : 'ERR0022';
        throw new OffcodeError(
          code,
          `Re-seal stopped: ${g.table}.${c} of row ${String(row.k)} cannot be opened.`,
          {
            cause: error,
          },
        );
      }
      const sealed = ctx.cipher.seal(plain, text);
      plain.fill(0);
      counts[`${g.table}.${c}`] = (counts[`${g.table}.${c}`] ?? 0) + 1;
      return sealed.bytes;
    });
    const sets = g.columns.map((c, i) => `${c} = $${i + 2}`).join(', ');
    await tx.query(`UPDATE ${g.table} SET ${sets}, ${g.encryption} = 1 WHERE ${g.key} = $1`, [
      row.k,
      ...values,
    ]);
  }
  const lastRow = r.rows[r.rows.length - 1];
  return { last: lastRow ? String(lastRow.k) : after, n: r.rows.length, counts };
}

export function createResealService(ctx: ServerContext, groups: readonly SealedGroup[]) {
  return (): Promise<ResealResult> =>
    service(async () => {
      const keyId = ctx.cipher.keyIdBytes;
      if (!keyId) {
        throw new OffcodeError('ERR0020', 'OFFCODE_MASTER_KEY is not set: there is no key to re-seal with.');
      }
      const counts: Record<string, number> = {};
      for (const g of groups) {
        for (const c of g.columns) counts[`${g.table}.${c}`] = 0;
        let after: string | null = null;
        for (;;) {
          // The counts of a batch are taken only after its COMMIT (a busy batch is retried from scratch).
          const batch: Awaited<ReturnType<typeof resealBatch>> = await inTransaction(
            ctx,
            (tx) => resealBatch(ctx, tx, g, keyId, after),
            { lock: true },
          );
          for (const [k, n] of Object.entries(batch.counts)) counts[k] = (counts[k] ?? 0) + n;
          after = batch.last;
          if (batch.n < BATCH) break;
        }
      }
      return { resealed: counts };
    });
}
