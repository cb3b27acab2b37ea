// The floor driven by pgbench: the verification's statements as a custom script (-M prepared, as the
// server's named statements on the `pg` driver), per-transaction latencies from pgbench's own log.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latencySummary } from '@offcode/bench-kit';
import {
  AUDIT_CODE_DIGEST_HEX,
  AUDIT_DATA_B64,
  AUDIT_INFO,
  activationIdSql,
  LOCK_TIMEOUT_MS,
} from './floor-sql.mjs';

const oneLine = (sql) => sql.replace(/\s+/g, ' ').trim();

/**
 * The pgbench script of one verification. pgbench cannot build a uuid or a nonce text on the client, so the
 * activation id and the nonce are SQL expressions of pgbench variables (md5(...)::uuid, 'floor-nonce-' || n)
 * where the server binds ready values; the statements are otherwise those of floor-sql.mjs (-M prepared:
 * parsed once per connection, as the server's named statements). The row read under the lock feeds the
 * writes (\gset r_), as in the server. pgbench cannot pipeline a statement whose result it keeps (\gset), so
 * BEGIN takes a round trip of its own here (the server sends it with the lock statement). Variables: nact
 * (activations), stride (payloads per client), n (this client's transaction count, -D n=0). lock_timeout
 * comes from PGOPTIONS (the server sets it with BEGIN).
 */
export function pgbenchScript(registry) {
  const nonce = registry ? `'floor-nonce-' || :pid` : `'floor-nonce-' || :n`;
  const activation = `SELECT a.*, app.name AS app_name, app.roles AS app_roles
      FROM oc_activation a JOIN oc_application app ON app.id = a.application_id
      WHERE a.activation_id = ${activationIdSql(':aid')} FOR UPDATE OF a`;
  const lock = registry
    ? `WITH a AS (${activation}), p AS (SELECT * FROM oc_offline_payload
        WHERE application_id = (SELECT application_id FROM a) AND nonce = ${nonce} FOR UPDATE)
      SELECT a.*, p.id AS p_id FROM a LEFT JOIN p ON true`
    : activation;
  const update = `UPDATE oc_activation SET counter = :next, ctr_data = :r_ctr_data, failed_attempts = 0,
      temporary_block_count = 0, timestamp_last_used = now() WHERE activation_id = :r_activation_id RETURNING 1`;
  const audit = `INSERT INTO oc_auth_audit (activation_id, user_id, application_id, protocol_version,
      activation_counter, activation_ctr_data, activation_status, additional_info, data_base64, nonce, code_digest,
      signature_type, valid, note, timestamp_created)
      VALUES (:r_activation_id, :r_user_id, :r_application_id, :r_protocol_version, :r_counter, :r_ctr_data,
      :r_activation_status, '${AUDIT_INFO}'::text::jsonb, '${AUDIT_DATA_B64}', ${nonce}, '\\x${AUDIT_CODE_DIGEST_HEX}',
      'POSSESSION_KNOWLEDGE', true, 'signature_ok', now()) RETURNING id`;
  const writes = registry
    ? `WITH upd AS (${update}), audit AS (${audit}), con AS (UPDATE oc_offline_payload SET consumed_at = now(),
        consumed_audit_id = (SELECT id FROM audit) WHERE id = :r_p_id AND consumed_at IS NULL RETURNING id)
      SELECT (SELECT id FROM audit) AS audit_id, (SELECT count(*) FROM con) AS consumed`
    : `WITH upd AS (${update}), audit AS (${audit}) SELECT (SELECT id FROM audit) AS audit_id`;
  const lines = [
    '\\set aid random(1, :nact)',
    '\\set n :n + 1',
    '\\set pid :client_id * :stride + (:n - 1) % :stride + 1',
    'BEGIN;',
    `${oneLine(lock)} \\gset r_`,
    '\\set next :r_counter + 1',
    `${oneLine(writes)};`,
    'COMMIT;',
  ];
  return `${lines.join('\n')}\n`;
}

/** tps and transaction counts from pgbench's summary (stdout). */
export function parsePgbenchSummary(text) {
  const tps = /^tps = ([0-9.]+) \(without initial connection time\)/m.exec(text);
  const processed = /^number of transactions actually processed: (\d+)/m.exec(text);
  const failed = /^number of failed transactions: (\d+)/m.exec(text);
  if (!processed || (!tps && Number(processed[1]) > 0))
    throw new Error(`pgbench: no summary in its output: ${text.slice(0, 300)}`);
  return {
    // no tps line when nothing was processed in the time (64 clients still connecting on a loaded machine)
    tps: tps ? Number(tps[1]) : 0,
    transactions: Number(processed[1]),
    failed: failed ? Number(failed[1]) : 0,
  };
}

/**
 * Latencies (ms) of the successful transactions in a pgbench -l log: lines
 * `client_id transaction_no time script_no time_epoch time_us [schedule_lag] [retries]`, time in µs;
 * failed or skipped transactions carry a word there and are left out.
 */
export function parsePgbenchLog(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || !/^\d+$/.test(f[2] ?? '')) continue;
    out.push(Number(f[2]) / 1000);
  }
  return out;
}

function pgbenchArgs(url, o, scriptFile, logPrefix) {
  const u = new URL(url);
  return [
    '-n',
    '-M',
    'prepared',
    '-f',
    scriptFile,
    '-c',
    String(o.clients),
    '-j',
    String(Math.min(2, o.clients)),
    '-T',
    String(o.durationS),
    '-D',
    `nact=${o.activations}`,
    '-D',
    `stride=${o.stride}`,
    '-D',
    'n=0',
    '-l',
    `--log-prefix=${logPrefix}`,
    '-h',
    u.hostname,
    '-p',
    u.port || '5432',
    '-U',
    decodeURIComponent(u.username || 'postgres'),
    decodeURIComponent(u.pathname.slice(1)),
  ];
}

/** Is pgbench on PATH? */
export function pgbenchAvailable() {
  return new Promise((resolve) => {
    execFile('pgbench', ['--version'], (error) => resolve(!error));
  });
}

/**
 * Runs the script against `url` (a database prepared by floor.mjs); returns tps, transactions and the
 * latency percentiles of pgbench's per-transaction log.
 */
export async function runPgbench(url, o) {
  const dir = mkdtempSync(join(tmpdir(), 'offcode-pgbench-'));
  try {
    const scriptFile = join(dir, 'verify.sql');
    writeFileSync(scriptFile, pgbenchScript(o.registry));
    const password = new URL(url).password;
    const stdout = await new Promise((resolve, reject) => {
      execFile(
        'pgbench',
        pgbenchArgs(url, o, scriptFile, join(dir, 'log')),
        {
          env: {
            ...process.env,
            PGOPTIONS: `-c lock_timeout=${LOCK_TIMEOUT_MS}`,
            ...(password ? { PGPASSWORD: decodeURIComponent(password) } : {}),
          },
          timeout: (o.durationS + 120) * 1000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, out, err) =>
          error
            ? reject(new Error(`pgbench failed: ${String(err).trim().split('\n').at(-1)}`))
            : resolve(out),
      );
    });
    const summary = parsePgbenchSummary(stdout);
    const latencies = readdirSync(dir)
      .filter((f) => f.startsWith('log.'))
      .flatMap((f) => parsePgbenchLog(readFileSync(join(dir, f), 'utf8')));
    return { ...summary, ...latencySummary(latencies) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
