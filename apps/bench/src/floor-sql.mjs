// The SQL of one successful offline verification, without Offcode: the statements @offcode/server sends
// (packages/server/src/repo/queries.ts: lockForVerify — the activation row, with the registry on also the
// payload row, in one statement — and writeVerification with the success changes: activation update, audit
// row and, with the registry on, the consumption in one statement), on the schema the server's own
// migrations create; BEGIN goes out in the same round trip as the lock statement and COMMIT in the same
// round trip as the writes statement (pipelined), as the PostgreSQL storage sends them. `floor-sql.test.ts` records what a real verification sends and fails when
// the two differ, so a change of the server's statements has to be followed here.

/** BEGIN and the lock timeout in one simple query, as the storage layer opens a verification. */
export const beginSql = (lockTimeoutMs) => `BEGIN; SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}`;

const ACTIVATION_SELECT = `SELECT a.*, app.name AS app_name, app.roles AS app_roles
  FROM oc_activation a JOIN oc_application app ON app.id = a.application_id`;

/** Registry off: the activation row alone. */
export const LOCK_ACTIVATION = `${ACTIVATION_SELECT} WHERE a.activation_id = $1 FOR UPDATE OF a`;

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
];

/** Registry on: the activation row, then the payload row of its application and the nonce, both locked. */
export const LOCK_ACTIVATION_AND_PAYLOAD = `WITH a AS (${LOCK_ACTIVATION}),
     p AS (SELECT * FROM oc_offline_payload
       WHERE application_id = (SELECT application_id FROM a) AND nonce = $2 FOR UPDATE)
     SELECT a.*, ${PAYLOAD_FIELDS.map((f) => `p.${f} AS p_${f}`).join(', ')} FROM a LEFT JOIN p ON true`;

const AUDIT_INSERT = `INSERT INTO oc_auth_audit (activation_id, user_id, application_id, protocol_version, activation_counter,
       activation_ctr_data, activation_status, additional_info, data_base64, nonce, code_digest, signature_type,
       valid, note, timestamp_created)
     VALUES ($7, $8, $9, $10, $11, $12, $13, $14::text::jsonb, $15, $16, $17, $18, $19, $20, $21) RETURNING id`;

const SUCCESS_UPDATE =
  'UPDATE oc_activation SET counter = $2, ctr_data = $3, failed_attempts = $4, temporary_block_count = $5, timestamp_last_used = $6 WHERE activation_id = $1 RETURNING 1';

/**
 * The writes of a match in one statement: $1 activation id, $2..$6 counter, ctr_data, failed attempts,
 * temporary block count, last used; $7..$21 the audit row; registry on: $22 now, $23 the payload id — and,
 * as the server's `enforce` mode sends it, `1 /` the consumed count, so a consumption that finds the payload
 * consumed fails the statement (22012) and the COMMIT pipelined behind it rolls back.
 */
export const writeSuccess = (registry) =>
  registry
    ? `WITH upd AS (${SUCCESS_UPDATE}),
     audit AS (${AUDIT_INSERT}),
     con AS (UPDATE oc_offline_payload SET consumed_at = $22,
       consumed_audit_id = (SELECT id FROM audit) WHERE id = $23 AND consumed_at IS NULL RETURNING id)
     SELECT (SELECT id FROM audit) AS audit_id, 1 / (SELECT count(*) FROM con) AS consumed`
    : `WITH upd AS (${SUCCESS_UPDATE}),
     audit AS (${AUDIT_INSERT})
     SELECT (SELECT id FROM audit) AS audit_id`;

/** The statements between BEGIN and COMMIT, in order. */
export const floorStatements = (registry) => [
  registry ? LOCK_ACTIVATION_AND_PAYLOAD : LOCK_ACTIVATION,
  writeSuccess(registry),
];

/** The server's default OFFCODE_DB_LOCK_TIMEOUT_MS. */
export const LOCK_TIMEOUT_MS = 10_000;

// Audit values of the sizes a real V3 verification writes (measured on a real row: data_base64 140
// characters, a 24-character nonce, a 32-byte code digest).
export const AUDIT_INFO = '{"BIOMETRY_ALLOWED":"FALSE","PROXIMITY_CHECK":"FALSE"}';
export const AUDIT_DATA_B64 = 'A'.repeat(136) + 'AA==';
export const AUDIT_CODE_DIGEST_HEX = 'ab'.repeat(32);

/** The uuid of floor activation i (1-based): md5 of a fixed text, so SQL and JavaScript agree. */
export const activationIdSql = (i) => `md5('floor-' || ${i})::uuid`;
export const payloadNonce = (n) => `floor-nonce-${n}`;

/**
 * Seeds one application and `count` ACTIVE V3 activations whose columns have the sizes of real ones
 * (65-byte keys and encrypted private key, 16-byte CTR_DATA, 96/136-character activation signatures).
 * Returns the application id.
 */
export async function seedFloorActivations(db, count) {
  const app = await db.query(
    `INSERT INTO oc_application (name, roles, commit_on_key_exchange, created_at)
     VALUES ('floor', '[]', true, now()) RETURNING id`,
  );
  const appId = Number(app.rows[0].id);
  const bytes65 = (tag) =>
    `'\\x04'::bytea || sha256(('${tag}' || i)::bytea) || sha256(('${tag}2' || i)::bytea)`;
  await db.query(
    `INSERT INTO oc_activation (activation_id, application_id, user_id, activation_code, activation_signature_p256,
       activation_signature_p384, activation_status, commit_phase, protocol_version, flags, device_public_key,
       server_public_key, server_private_key, key_encryption, counter, ctr_data, max_failed_attempts,
       timestamp_created, timestamp_activation_expire, timestamp_last_change)
     SELECT ${activationIdSql('i')}, ${appId}, 'floor-user-' || i, upper(substr(md5('code-' || i), 1, 23)),
       repeat('S', 96), repeat('S', 136), 3, 'ON_KEY_EXCHANGE', 3, '[]', ${bytes65('d')}, ${bytes65('s')},
       ${bytes65('p')}, 1, 0, substr(sha256(('ctr' || i)::bytea), 1, 16), 64, now(), now() + interval '1 day', now()
     FROM generate_series(1, ${Math.trunc(count)}) AS i`,
  );
  return appId;
}

/** Replaces the payload registry with `count` fresh (unconsumed) payloads, nonces 1..count. */
export async function seedFloorPayloads(db, appId, activations, count) {
  await db.query('DELETE FROM oc_offline_payload');
  await db.query(
    `INSERT INTO oc_offline_payload (nonce, application_id, activation_id, protocol_version, key_type, data_sha256,
       body_sha256, proximity, created_at, expires_at)
     SELECT 'floor-nonce-' || j, ${appId}, ${activationIdSql(`(1 + j % ${Math.trunc(activations)})`)}, 3, 'P',
       sha256(('data' || j)::bytea), sha256(('body' || j)::bytea), false, now(), now() + interval '1 day'
     FROM generate_series(1, ${Math.trunc(count)}) AS j`,
  );
}
