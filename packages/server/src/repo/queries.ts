/**
 * Every SQL statement of the engine, shared verbatim by PGlite and PostgreSQL. Functions take the executor
 * (a transaction or the storage itself) so the caller decides the transaction boundaries.
 */
import type { SqlExecutor } from '../storage/types.js';
import {
  type ActivationRow,
  type ActivationStatusCode,
  type ApplicationRow,
  type ApplicationVersionRow,
  type MasterKeyAlgorithm,
  type MasterKeyPairRow,
  mapActivation,
  mapApplication,
  mapMasterKey,
  mapPayload,
  mapVersion,
  type OfflinePayloadRow,
  toNum,
} from './rows.js';

type Row = Record<string, unknown>;

// ---- applications ---------------------------------------------------------------------------------------

export async function insertApplication(
  db: SqlExecutor,
  a: { name: string; roles: string[]; commitOnKeyExchange: boolean; now: Date },
): Promise<number | null> {
  const r = await db.query<Row>(
    `INSERT INTO oc_application (name, roles, commit_on_key_exchange, created_at)
     VALUES ($1, $2::text::jsonb, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING id`,
    [a.name, JSON.stringify(a.roles), a.commitOnKeyExchange, a.now],
  );
  return r.rows[0] ? toNum(r.rows[0].id) : null;
}

export async function findApplicationByName(db: SqlExecutor, name: string): Promise<ApplicationRow | null> {
  const r = await db.query<Row>('SELECT * FROM oc_application WHERE name = $1', [name]);
  return r.rows[0] ? mapApplication(r.rows[0]) : null;
}

export async function listApplications(db: SqlExecutor): Promise<ApplicationRow[]> {
  const r = await db.query<Row>('SELECT * FROM oc_application ORDER BY id');
  return r.rows.map(mapApplication);
}

export async function insertVersion(
  db: SqlExecutor,
  v: { applicationId: number; name: string; key: string; secret: string; now: Date },
): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO oc_application_version (application_id, name, application_key, application_secret, supported, created_at)
     VALUES ($1, $2, $3, $4, true, $5) ON CONFLICT (application_id, name) DO NOTHING RETURNING id`,
    [v.applicationId, v.name, v.key, v.secret, v.now],
  );
  return r.rowCount > 0;
}

export async function listVersions(db: SqlExecutor, applicationId: number): Promise<ApplicationVersionRow[]> {
  const r = await db.query<Row>(
    'SELECT * FROM oc_application_version WHERE application_id = $1 ORDER BY id',
    [applicationId],
  );
  return r.rows.map(mapVersion);
}

export async function insertMasterKey(
  db: SqlExecutor,
  k: {
    applicationId: number;
    algorithm: MasterKeyAlgorithm;
    privateKey: Uint8Array;
    encryption: number;
    publicKey: Uint8Array;
    now: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO oc_master_keypair (application_id, algorithm, private_key, private_key_encryption, public_key, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [k.applicationId, k.algorithm, k.privateKey, k.encryption, k.publicKey, k.now],
  );
}

/** The newest key pair of an algorithm (highest id). */
export async function newestMasterKey(
  db: SqlExecutor,
  applicationId: number,
  algorithm: MasterKeyAlgorithm,
): Promise<MasterKeyPairRow | null> {
  const r = await db.query<Row>(
    'SELECT * FROM oc_master_keypair WHERE application_id = $1 AND algorithm = $2 ORDER BY id DESC LIMIT 1',
    [applicationId, algorithm],
  );
  return r.rows[0] ? mapMasterKey(r.rows[0]) : null;
}

// ---- activations ----------------------------------------------------------------------------------------

const ACTIVATION_SELECT = `SELECT a.*, app.name AS app_name, app.roles AS app_roles
  FROM oc_activation a JOIN oc_application app ON app.id = a.application_id`;

/** By id and by code, with and without the row lock: constants, like `LOCK_FOR_VERIFY_SQL` below. */
const BY_ID_SQL = `${ACTIVATION_SELECT} WHERE a.activation_id = $1`;
const BY_ID_LOCKED_SQL = `${BY_ID_SQL} FOR UPDATE OF a`;
const BY_CODE_SQL = `${ACTIVATION_SELECT} WHERE a.activation_code = $1`;
const BY_CODE_LOCKED_SQL = `${BY_CODE_SQL} FOR UPDATE OF a`;

/** Reads an activation; `lock` takes the row lock (FOR UPDATE of the activation row only). */
export async function findActivation(
  db: SqlExecutor,
  activationId: string,
  lock = false,
): Promise<ActivationRow | null> {
  const r = await db.query<Row>(lock ? BY_ID_LOCKED_SQL : BY_ID_SQL, [activationId]);
  return r.rows[0] ? mapActivation(r.rows[0]) : null;
}

export async function findActivationByCode(
  db: SqlExecutor,
  code: string,
  lock = false,
): Promise<ActivationRow | null> {
  const r = await db.query<Row>(lock ? BY_CODE_LOCKED_SQL : BY_CODE_SQL, [code]);
  return r.rows[0] ? mapActivation(r.rows[0]) : null;
}

/** Inserts a CREATED activation; false when the id or the activation code already exists. */
export async function insertActivation(
  db: SqlExecutor,
  a: {
    activationId: string;
    applicationId: number;
    userId: string;
    activationCode: string;
    signatureP256: string;
    signatureP384: string;
    commitPhase: string;
    flags: string[];
    maxFailedAttempts: number;
    expiresAt: Date;
    now: Date;
  },
): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO oc_activation (activation_id, application_id, user_id, activation_code, activation_signature_p256,
       activation_signature_p384, activation_status, commit_phase, flags, max_failed_attempts,
       timestamp_created, timestamp_activation_expire, timestamp_last_change)
     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8::text::jsonb, $9, $10, $11, $10)
     ON CONFLICT DO NOTHING RETURNING activation_id`,
    [
      a.activationId,
      a.applicationId,
      a.userId,
      a.activationCode,
      a.signatureP256,
      a.signatureP384,
      a.commitPhase,
      JSON.stringify(a.flags),
      a.maxFailedAttempts,
      a.now,
      a.expiresAt,
    ],
  );
  return r.rowCount > 0;
}

export async function activationIdExists(db: SqlExecutor, activationId: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM oc_activation WHERE activation_id = $1', [activationId]);
  return r.rowCount > 0;
}

/** Columns an update may set (camelCase → column). */
const ACTIVATION_COLUMNS = {
  status: 'activation_status',
  blockedReason: 'blocked_reason',
  protocolVersion: 'protocol_version',
  activationName: 'activation_name',
  devicePublicKey: 'device_public_key',
  serverPublicKey: 'server_public_key',
  serverPrivateKey: 'server_private_key',
  activationSecret: 'activation_secret',
  keyEncryption: 'key_encryption',
  biometryEnabled: 'biometry_enabled',
  counter: 'counter',
  ctrData: 'ctr_data',
  failedAttempts: 'failed_attempts',
  temporaryBlockCount: 'temporary_block_count',
  blockExpiresAt: 'block_expires_at',
  timestampLastUsed: 'timestamp_last_used',
  timestampLastChange: 'timestamp_last_change',
} as const;

export type ActivationUpdate = Partial<{ [K in keyof typeof ACTIVATION_COLUMNS]: ActivationRow[K] }>;

/** `column = $n` for each change, its value appended to `params`. */
function activationSets(changes: ActivationUpdate, params: unknown[]): string[] {
  const sets: string[] = [];
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const column = ACTIVATION_COLUMNS[key as keyof typeof ACTIVATION_COLUMNS];
    if (!column) throw new Error(`not an updatable column: ${key}`);
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  return sets;
}

export async function updateActivation(
  db: SqlExecutor,
  activationId: string,
  changes: ActivationUpdate,
): Promise<void> {
  const params: unknown[] = [activationId];
  const sets = activationSets(changes, params);
  if (sets.length === 0) return;
  await db.query(`UPDATE oc_activation SET ${sets.join(', ')} WHERE activation_id = $1`, params);
}

export async function insertHistory(
  db: SqlExecutor,
  h: {
    activationId: string;
    status: ActivationStatusCode;
    reason: string | null;
    externalUserId: string | null;
    now: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO oc_activation_history (activation_id, activation_status, event_reason, external_user_id, timestamp_created)
     VALUES ($1, $2, $3, $4, $5)`,
    [h.activationId, h.status, h.reason, h.externalUserId, h.now],
  );
}

export interface HistoryRow {
  id: number;
  activationId: string;
  status: number;
  eventReason: string | null;
  externalUserId: string | null;
  timestampCreated: Date;
}

export async function listHistory(db: SqlExecutor, activationId: string): Promise<HistoryRow[]> {
  const r = await db.query<Row>('SELECT * FROM oc_activation_history WHERE activation_id = $1 ORDER BY id', [
    activationId,
  ]);
  return r.rows.map((h) => ({
    id: toNum(h.id),
    activationId: String(h.activation_id),
    status: toNum(h.activation_status),
    eventReason: (h.event_reason as string | null) ?? null,
    externalUserId: (h.external_user_id as string | null) ?? null,
    timestampCreated: h.timestamp_created as Date,
  }));
}

/** Ids of temporary blocks that are due, locked, skipping rows another process holds (sweep). */
export async function lockDueBlockExpiries(db: SqlExecutor, now: Date, limit: number): Promise<string[]> {
  const r = await db.query<Row>(
    `SELECT activation_id FROM oc_activation
     WHERE activation_status = 4 AND blocked_reason = 'MAX_FAILED_ATTEMPTS' AND block_expires_at <= $1
     ORDER BY block_expires_at LIMIT ${Math.trunc(limit)} FOR UPDATE SKIP LOCKED`,
    [now],
  );
  return r.rows.map((x) => String(x.activation_id));
}

// ---- audit ----------------------------------------------------------------------------------------------

export interface AuditInsert {
  activationId: string;
  userId: string;
  applicationId: number;
  protocolVersion: number | null;
  counter: number;
  ctrData: Uint8Array | null;
  status: number;
  additionalInfo: Record<string, string>;
  dataBase64: string;
  nonce: string | null;
  codeDigest: Uint8Array | null;
  signatureType: string;
  valid: boolean;
  note: string;
  now: Date;
}

const AUDIT_COLUMNS = `activation_id, user_id, application_id, protocol_version, activation_counter,
       activation_ctr_data, activation_status, additional_info, data_base64, nonce, code_digest, signature_type,
       valid, note, timestamp_created`;

/** The VALUES list of an audit row from parameter `$first` on; its 15 values appended to `params`. */
function auditValues(a: AuditInsert, params: unknown[]): string {
  const first = params.length + 1;
  params.push(
    a.activationId,
    a.userId,
    a.applicationId,
    a.protocolVersion,
    a.counter,
    a.ctrData,
    a.status,
    JSON.stringify(a.additionalInfo),
    a.dataBase64,
    a.nonce,
    a.codeDigest,
    a.signatureType,
    a.valid,
    a.note,
    a.now,
  );
  const n = (i: number): string => `$${first + i}`;
  return `(${n(0)}, ${n(1)}, ${n(2)}, ${n(3)}, ${n(4)}, ${n(5)}, ${n(6)}, ${n(7)}::text::jsonb, ${n(8)}, ${n(9)}, ${n(10)}, ${n(11)}, ${n(12)}, ${n(13)}, ${n(14)})`;
}

export async function insertAudit(db: SqlExecutor, a: AuditInsert): Promise<number> {
  const params: unknown[] = [];
  const values = auditValues(a, params);
  const r = await db.query<Row>(
    `INSERT INTO oc_auth_audit (${AUDIT_COLUMNS})
     VALUES ${values} RETURNING id`,
    params,
  );
  return toNum(r.rows[0]!.id);
}

// ---- the verification's own statements (server.md §3.5): one to lock and read, one for the writes --------

const PAYLOAD_FIELDS = [
  'id',
  'nonce',
  'application_id',
  'activation_id',
  'protocol_version',
  'key_type',
  'data_sha256',
  'body_sha256',
  'proximity',
  'created_at',
  'expires_at',
  'consumed_at',
] as const;

/** `[field, p_field]` pairs of the payload columns in the lock statement's answer. */
const PAYLOAD_ALIASES = PAYLOAD_FIELDS.map((f) => [f, `p_${f}`] as const);

/**
 * Built once: the pool names a statement by its text (a Map lookup), and a constant string keeps its hash, so
 * no request rebuilds or rehashes this SQL.
 */
const LOCK_FOR_VERIFY_SQL = `WITH a AS (${ACTIVATION_SELECT} WHERE a.activation_id = $1 FOR UPDATE OF a),
     p AS (SELECT * FROM oc_offline_payload
       WHERE application_id = (SELECT application_id FROM a) AND nonce = $2 FOR UPDATE)
     SELECT a.*, ${PAYLOAD_ALIASES.map(([f, alias]) => `p.${f} AS ${alias}`).join(', ')} FROM a LEFT JOIN p ON true`;

/**
 * Steps 2 and 6 in one statement: the activation row (with its application) `FOR UPDATE`, and — when
 * `nonce` is given — the registry row of (the activation's application, nonce) `FOR UPDATE`. The payload's
 * CTE reads the activation's CTE first (its application id), so the activation row is always locked
 * before the payload row (server.md §5.4 lock order); an unknown activation locks no payload.
 */
export async function lockForVerify(
  db: SqlExecutor,
  activationId: string,
  nonce: string | null,
): Promise<{ activation: ActivationRow; payload: OfflinePayloadRow | null } | null> {
  if (nonce === null) {
    const activation = await findActivation(db, activationId, true);
    return activation ? { activation, payload: null } : null;
  }
  const r = await db.query<Row>(LOCK_FOR_VERIFY_SQL, [activationId, nonce]);
  const row = r.rows[0];
  if (!row) return null;
  const payload =
    row.p_id === null || row.p_id === undefined
      ? null
      : mapPayload(Object.fromEntries(PAYLOAD_ALIASES.map(([f, alias]) => [f, row[alias]])));
  return { activation: mapActivation(row), payload };
}

/** SQLSTATE of the statement of `writeVerification` when a required consumption found the payload consumed. */
export const CONSUME_REFUSED_SQLSTATE = '22012';

/**
 * The writes of one verification in one statement: the activation update (`changes`, may be empty), the
 * audit row, and — with `consume` — the registry's conditional consumption (`consumed_at` set only while
 * unset, linked to this audit row). Answers the audit id and whether the payload was consumed (null
 * without `consume`). With `consume.required` (registry `enforce`) a consumption that changed no row fails
 * the statement itself (division by the zero count: SQLSTATE 22012, `CONSUME_REFUSED_SQLSTATE`), so the
 * transaction is aborted by the database and a COMMIT sent right behind the statement rolls back.
 */
export async function writeVerification(
  db: SqlExecutor,
  activationId: string,
  changes: ActivationUpdate,
  audit: AuditInsert,
  consume: { payloadId: number; now: Date; required: boolean } | null,
): Promise<{ auditId: number; consumed: boolean | null }> {
  const params: unknown[] = [activationId];
  const sets = activationSets(changes, params);
  const ctes: string[] = [];
  if (sets.length > 0)
    ctes.push(`upd AS (UPDATE oc_activation SET ${sets.join(', ')} WHERE activation_id = $1 RETURNING 1)`);
  else params.length = 0; // no update: $1 would be a parameter nothing uses
  ctes.push(
    `audit AS (INSERT INTO oc_auth_audit (${AUDIT_COLUMNS}) VALUES ${auditValues(audit, params)} RETURNING id)`,
  );
  if (consume) {
    params.push(consume.now, consume.payloadId);
    ctes.push(`con AS (UPDATE oc_offline_payload SET consumed_at = $${params.length - 1},
       consumed_audit_id = (SELECT id FROM audit) WHERE id = $${params.length} AND consumed_at IS NULL RETURNING id)`);
  }
  const r = await db.query<Row>(
    `WITH ${ctes.join(',\n     ')}
     SELECT (SELECT id FROM audit) AS audit_id${consume ? `, ${consume.required ? '1 / ' : ''}(SELECT count(*) FROM con) AS consumed` : ''}`,
    params,
  );
  const row = r.rows[0]!;
  return { auditId: toNum(row.audit_id), consumed: consume ? toNum(row.consumed) > 0 : null };
}

export interface AuditFilter {
  userId?: string | undefined;
  activationId?: string | undefined;
  applicationId?: number | undefined;
  from: Date;
  /** Exclusive upper bound; undefined = no bound. */
  to?: Date | undefined;
  limit: number;
  beforeId?: number | undefined;
}

export async function listAudit(db: SqlExecutor, f: AuditFilter): Promise<Row[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.userId !== undefined) add('au.user_id = ?', f.userId);
  if (f.activationId !== undefined) add('au.activation_id = ?', f.activationId);
  if (f.applicationId !== undefined) add('au.application_id = ?', f.applicationId);
  add('au.timestamp_created >= ?', f.from);
  if (f.to !== undefined) add('au.timestamp_created < ?', f.to);
  if (f.beforeId !== undefined) add('au.id < ?', f.beforeId);
  params.push(f.limit);
  const r = await db.query<Row>(
    `SELECT au.*, app.name AS app_name FROM oc_auth_audit au JOIN oc_application app ON app.id = au.application_id
     WHERE ${where.join(' AND ')} ORDER BY au.id DESC LIMIT $${params.length}`,
    params,
  );
  return r.rows;
}

// ---- offline payload registry (issue, lock and consume live in payload-registry.ts) ------------------

/** Deletes up to 1000 rows that expired before `cutoff`; returns how many. */
export async function purgePayloadBatch(db: SqlExecutor, cutoff: Date): Promise<number> {
  const r = await db.query(
    `DELETE FROM oc_offline_payload WHERE id IN (
       SELECT id FROM oc_offline_payload WHERE expires_at < $1 ORDER BY expires_at LIMIT 1000)`,
    [cutoff],
  );
  return r.rowCount;
}
