/**
 * The issued-payload registry (server.md §3.4) behind one interface: the verify flow and the create flow use
 * only `PayloadRegistry`; `sqlPayloadRegistry` is the implementation on the shared SQL of PGlite and
 * PostgreSQL.
 */
import type { SqlExecutor } from '../storage/types.js';
import { mapPayload, type OfflinePayloadRow } from './rows.js';

type Row = Record<string, unknown>;

/** What `issue` records about a payload at create time. */
export interface IssuedPayload {
  nonce: string;
  applicationId: number;
  /** Null for key type 0 (non-personalized). */
  activationId: string | null;
  protocolVersion: number;
  keyType: string;
  dataSha256: Uint8Array;
  bodySha256: Uint8Array | null;
  proximity: boolean;
  now: Date;
  expiresAt: Date;
}

/**
 * The registry of issued offline payloads.
 *
 * Contract (what the no-double-acceptance rules of server.md §5.4 need from it):
 * - Every method runs on the executor it is given and never opens a transaction of its own: the caller
 *   decides the boundaries.
 * - `issue` replaces an expired row with the same (application, nonce) by the new one (a new id); it answers
 *   false, and changes nothing, while an unexpired row holds that pair. It is atomic on its own (one
 *   statement here): payload creation calls it on the storage itself, outside any transaction.
 * - `findForUpdate` returns the row of (application, nonce) and locks it until the caller's transaction ends;
 *   it is called after the activation row lock (lock order: activation, then payload).
 * - `consume` is a conditional update (`consumed_at` set only while it is unset) that runs in the
 *   verification's transaction, so it commits together with the counter update and the audit row, or rolls
 *   back with them; it answers false when the payload was already consumed, and then changes nothing. Two
 *   verifications racing for one payload consume it once.
 *
 * The verify flow runs the same two operations of this SQL registry inside its own combined statements
 * (repo/queries.ts `lockForVerify`: the payload row locked in the activation's lock statement, after the
 * activation row; `writeVerification`: the same conditional consume in the statement of its writes), so one
 * verification costs two round trips on PostgreSQL (BEGIN with the lock, the writes with COMMIT); `findForUpdate`
 * and `consume` are those operations on their own.
 */
export interface PayloadRegistry {
  issue(tx: SqlExecutor, payload: IssuedPayload): Promise<boolean>;
  findForUpdate(tx: SqlExecutor, applicationId: number, nonce: string): Promise<OfflinePayloadRow | null>;
  consume(tx: SqlExecutor, payloadId: number, auditId: number, now: Date): Promise<boolean>;
}

/**
 * One statement (atomic on its own, so create needs no transaction of its own): the insert, or — when an
 * expired row holds (application, nonce) — that row overwritten as a new one (fresh id from the sequence,
 * consumption cleared). The `WHERE` of the conflict branch leaves a live row untouched and returns nothing.
 * Two creates racing for one expired nonce: the second waits for the first's row lock, then sees a live row.
 */
async function issue(tx: SqlExecutor, p: IssuedPayload): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO oc_offline_payload (nonce, application_id, activation_id, protocol_version, key_type, data_sha256,
       body_sha256, proximity, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (application_id, nonce) DO UPDATE SET id = DEFAULT, activation_id = EXCLUDED.activation_id,
       protocol_version = EXCLUDED.protocol_version, key_type = EXCLUDED.key_type,
       data_sha256 = EXCLUDED.data_sha256, body_sha256 = EXCLUDED.body_sha256, proximity = EXCLUDED.proximity,
       created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, consumed_at = NULL,
       consumed_audit_id = NULL
     WHERE oc_offline_payload.expires_at <= EXCLUDED.created_at
     RETURNING id`,
    [
      p.nonce,
      p.applicationId,
      p.activationId,
      p.protocolVersion,
      p.keyType,
      p.dataSha256,
      p.bodySha256,
      p.proximity,
      p.now,
      p.expiresAt,
    ],
  );
  return r.rowCount > 0;
}

async function findForUpdate(
  tx: SqlExecutor,
  applicationId: number,
  nonce: string,
): Promise<OfflinePayloadRow | null> {
  const r = await tx.query<Row>(
    'SELECT * FROM oc_offline_payload WHERE application_id = $1 AND nonce = $2 FOR UPDATE',
    [applicationId, nonce],
  );
  return r.rows[0] ? mapPayload(r.rows[0]) : null;
}

async function consume(tx: SqlExecutor, payloadId: number, auditId: number, now: Date): Promise<boolean> {
  const r = await tx.query(
    'UPDATE oc_offline_payload SET consumed_at = $2, consumed_audit_id = $3 WHERE id = $1 AND consumed_at IS NULL',
    [payloadId, now, auditId],
  );
  return r.rowCount > 0;
}

/** The registry on the `oc_offline_payload` table (the same SQL on PGlite and PostgreSQL). */
export const sqlPayloadRegistry: PayloadRegistry = Object.freeze({ issue, findForUpdate, consume });
