/**
 * The SQL of PowerAuth 3.3 enrollment (migration 2): application versions by key, temporary ECIES keys,
 * the ECIES replay store and their purge. Shared verbatim by PGlite and PostgreSQL.
 */
import type { SqlExecutor } from '../storage/types.js';
import { type ApplicationVersionRow, mapVersion, toBytes, toDate, toNum } from './rows.js';

type Row = Record<string, unknown>;

/** The application version of an application key (`application_key` is unique). */
export async function findVersionByKey(
  db: SqlExecutor,
  applicationKey: string,
): Promise<ApplicationVersionRow | null> {
  const r = await db.query<Row>('SELECT * FROM oc_application_version WHERE application_key = $1', [
    applicationKey,
  ]);
  return r.rows[0] ? mapVersion(r.rows[0]) : null;
}

/** The name of an application by its row id, or null. */
export async function findApplicationName(db: SqlExecutor, applicationId: number): Promise<string | null> {
  const r = await db.query<Row>('SELECT name FROM oc_application WHERE id = $1', [applicationId]);
  return r.rows[0] ? String(r.rows[0].name) : null;
}

export interface TemporaryKeyRow {
  keyId: string;
  applicationId: number;
  applicationKey: string;
  activationId: string | null;
  privateKey: Uint8Array;
  keyEncryption: number;
  publicKey: Uint8Array;
  createdAt: Date;
  expiresAt: Date;
}

function mapTemporaryKey(r: Row): TemporaryKeyRow {
  return {
    keyId: String(r.key_id),
    applicationId: toNum(r.application_id),
    applicationKey: String(r.application_key),
    activationId: (r.activation_id as string | null) ?? null,
    privateKey: toBytes(r.private_key)!,
    keyEncryption: toNum(r.key_encryption),
    publicKey: toBytes(r.public_key)!,
    createdAt: toDate(r.created_at)!,
    expiresAt: toDate(r.expires_at)!,
  };
}

export async function insertTemporaryKey(
  db: SqlExecutor,
  k: Omit<TemporaryKeyRow, 'privateKey' | 'keyEncryption'> & {
    privateKey: Uint8Array;
    keyEncryption: number;
  },
): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO oc_temporary_key (key_id, application_id, application_key, activation_id, private_key,
       key_encryption, public_key, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (key_id) DO NOTHING`,
    [
      k.keyId,
      k.applicationId,
      k.applicationKey,
      k.activationId,
      k.privateKey,
      k.keyEncryption,
      k.publicKey,
      k.createdAt,
      k.expiresAt,
    ],
  );
  return r.rowCount > 0;
}

export async function findTemporaryKey(db: SqlExecutor, keyId: string): Promise<TemporaryKeyRow | null> {
  const r = await db.query<Row>('SELECT * FROM oc_temporary_key WHERE key_id = $1', [keyId]);
  return r.rows[0] ? mapTemporaryKey(r.rows[0]) : null;
}

/**
 * Records a replay digest kept until `expiresAt`; false when it is already there (a replay). Two
 * transactions inserting the same digest serialize on the primary key: the second sees the first's row
 * once it commits, or inserts its own when the first rolls back.
 */
export async function insertReplayDigest(
  db: SqlExecutor,
  digest: Uint8Array,
  expiresAt: Date,
): Promise<boolean> {
  const r = await db.query(
    'INSERT INTO oc_ecies_replay (digest, expires_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING',
    [digest, expiresAt],
  );
  return r.rowCount > 0;
}

/** Deletes up to 1000 temporary keys that expired before `cutoff`; returns how many. */
export async function purgeTemporaryKeyBatch(db: SqlExecutor, cutoff: Date): Promise<number> {
  const r = await db.query(
    `DELETE FROM oc_temporary_key WHERE key_id IN (
       SELECT key_id FROM oc_temporary_key WHERE expires_at < $1 ORDER BY expires_at LIMIT 1000)`,
    [cutoff],
  );
  return r.rowCount;
}

/** Deletes up to 1000 replay digests that expired before `cutoff`; returns how many. */
export async function purgeReplayBatch(db: SqlExecutor, cutoff: Date): Promise<number> {
  const r = await db.query(
    `DELETE FROM oc_ecies_replay WHERE digest IN (
       SELECT digest FROM oc_ecies_replay WHERE expires_at < $1 ORDER BY expires_at LIMIT 1000)`,
    [cutoff],
  );
  return r.rowCount;
}
