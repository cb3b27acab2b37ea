// Verification throughput of @offcode/server, in-process, on PGlite (memory://) and PostgreSQL.
// Usage: pnpm --filter @offcode/server build && pnpm --filter @offcode/server bench
//   BENCH_N=300 (verifies per scenario), BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
//   BENCH_DATABASES=pglite,postgresql (default both, each in a child process of its own)
// Prints a table and writes bench/results.json. Time shares: "storage" = time inside SQL statements and
// transaction handling (BEGIN/COMMIT, lock and queue waits); "engine" = the one searchOfflineCode call;
// "keys" = opening the sealed secret and deriving the factor keys (KDF; ECDH only for V3 rows without a sealed
// master secret), measured separately with the same inputs; "other" = the rest (validation, JSON, data candidates, audit digest).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getOffcodeCrypto } from '@offcode/crypto-wasm';
import {
  buildPayloadData,
  deriveKeysV3,
  deriveKeysV4,
  deriveMasterSecretV3,
  encodeBase64,
  normalizePrivateKey,
  parseOfflinePayloadOrThrow,
  paymentOperationData,
  verifyRequestDataForPayload,
} from '@offcode/protocol';
import { SimulatedDevice } from '@offcode/sim-token';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, '..', 'dist', 'index.js'))) {
  console.error('bench: build the package first (pnpm --filter @offcode/server build)');
  process.exit(1);
}
const { createOffcodeServer, loadConfig, openStorage } = await import('../dist/index.js');
const { AtRestCipher, aad } = await import('../dist/internal.js');

const N = Number(process.env.BENCH_N ?? 300);
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MASTER_KEY = encodeBase64(new Uint8Array(randomBytes(32)));
const now = () => performance.now();
const PHASES = ['parse', 'lock', 'keys', 'search', 'writes', 'commit'];

/**
 * Mean milliseconds per verify phase (server.md §3.5 "Phase timings") while `fn` runs: the server publishes
 * them on the `offcode:verify:phases` diagnostics channel while someone subscribes.
 */
async function withPhases(fn) {
  const sums = Object.fromEntries([...PHASES, 'total'].map((p) => [p, 0]));
  let count = 0;
  const listener = (m) => {
    for (const p of [...PHASES, 'total']) sums[p] += m[p];
    count++;
  };
  subscribe('offcode:verify:phases', listener);
  try {
    await fn();
  } finally {
    unsubscribe('offcode:verify:phases', listener);
  }
  return Object.fromEntries(
    Object.entries(sums).map(([p, v]) => [p, count ? +(v / count).toFixed(4) : null]),
  );
}

/** Storage wrapper that adds up the time spent in the database. */
function timedStorage(storage, acc) {
  const timed = (exec) => ({
    query: async (sql, params) => {
      const t = now();
      try {
        return await exec.query(sql, params);
      } finally {
        acc.storage += now() - t;
      }
    },
    // A transaction's early COMMIT (PostgreSQL: sent in the same round trip as the last statement) must
    // reach the storage as in production; without it the wrapper would measure one round trip more.
    ...(exec.commit ? { commit: () => exec.commit() } : {}),
  });
  return {
    kind: storage.kind,
    query: timed(storage).query,
    execScript: (tx, sql) => storage.execScript(tx, sql),
    ping: () => storage.ping(),
    close: () => storage.close(),
    async transaction(fn, options) {
      const t = now();
      let inside = 0;
      try {
        return await storage.transaction(async (tx) => {
          const s = now();
          try {
            return await fn(timed(tx));
          } finally {
            inside = now() - s;
          }
        }, options);
      } finally {
        // BEGIN, SET LOCAL, COMMIT/ROLLBACK, pool/queue waits: everything outside fn.
        acc.storage += now() - t - inside;
      }
    },
  };
}

function timedEngine(engine, acc) {
  const wrapped = Object.create(engine);
  wrapped.searchOfflineCode = (input) => {
    const t = now();
    try {
      return engine.searchOfflineCode(input);
    } finally {
      acc.engine += now() - t;
    }
  };
  return wrapped;
}

let op = 0;
const data = () =>
  buildPayloadData({
    operationId: `op-${++op}`,
    title: 'Payment',
    message: 'Pay 100.00 EUR',
    operationData: paymentOperationData({
      amount: '100.00',
      currency: 'EUR',
      iban: 'CZ2730300000001165254011',
    }),
    flags: {},
  });

async function activate(server, app, protocol, maxFailureCount = 5) {
  const init = await server.activations.init({ userId: `u${op++}`, applicationId: app, maxFailureCount });
  const device = new SimulatedDevice(protocol);
  device.complete(await server.activations.exchange(device.exchangeRequest(init.activationCode)));
  await server.activations.commit({ activationId: device.activationId });
  return device;
}

async function prepare(server, device, count, wrong, skip = 0) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const created = await server.offline.createPersonalized(device.protocol, {
      activationId: device.activationId,
      data: data(),
    });
    const payload = parseOfflinePayloadOrThrow(created.offlineData);
    const code = device.computeCode(payload, { wrongPin: wrong, skip });
    out.push({
      activationId: device.activationId,
      data: verifyRequestDataForPayload(payload),
      [device.protocol === 3 ? 'signature' : 'authenticationCode']: code,
    });
  }
  return out;
}

/** Valid codes at position 0 and 10, registry rejections and wrong codes through the whole path, untimed. */
async function warmUp(server, app, protocol) {
  for (const [count, wrong, skip] of [
    [40, false, 0],
    [10, false, 10],
    [10, true, 0],
  ]) {
    const device = await activate(server, app, protocol, 64);
    for (const r of await prepare(server, device, count, wrong, skip)) {
      await server.offline.verifyOutcome(protocol, r);
      await server.offline.verifyOutcome(protocol, r).catch(() => undefined); // the replay: registry refusal
    }
  }
}

/** The server's crypto in these measurements: wasm engine, node:crypto EC/AES (as `createOffcodeServer` builds it). */
const BENCH_SUITE = { engine: getOffcodeCrypto('wasm'), impl: 'auto' };

/** Per-verify cost of opening the stored key and deriving the factor keys, with the same inputs. */
async function keyDerivationMs(storage, cipher, activationId, protocol) {
  const row = (await storage.query('SELECT * FROM oc_activation WHERE activation_id = $1', [activationId]))
    .rows[0];
  const loops = 300;
  const t = now();
  for (let i = 0; i < loops; i++) {
    if (protocol === 3 && row.activation_secret) {
      // The sealed KEY_MASTER_SECRET (rows enrolled by this version): what the server opens per request.
      deriveKeysV3(
        BENCH_SUITE,
        cipher.open(row.activation_secret, Number(row.key_encryption), aad.activationSecret(activationId, 3)),
      );
    } else if (protocol === 3) {
      const priv = normalizePrivateKey(
        'P-256',
        cipher.open(
          row.server_private_key,
          Number(row.key_encryption),
          aad.serverPrivateKey(activationId, 3),
        ),
      );
      deriveKeysV3(BENCH_SUITE, deriveMasterSecretV3(BENCH_SUITE, priv, row.device_public_key));
    } else {
      deriveKeysV4(
        BENCH_SUITE,
        cipher.open(row.activation_secret, Number(row.key_encryption), aad.activationSecret(activationId, 4)),
      );
    }
  }
  return (now() - t) / loops;
}

const SCENARIOS = [
  ['hit at position 0 (registry enforce)', 0],
  ['hit at position 10', 10],
  ['failed (full window W=20)', 0],
];
/** Timed rounds per database (BENCH_N is split over them; at least one verification per round). */
const ROUNDS = Math.max(1, Math.min(4, N));

async function runDatabase(label, openIt) {
  const rows = [];
  const { storage: raw, cleanup } = await openIt();
  // PostgreSQL gets 8 connections for the parallel rows.
  try {
    const acc = { storage: 0, engine: 0 };
    const storage = timedStorage(raw, acc);
    const config = loadConfig({ OFFCODE_MASTER_KEY: MASTER_KEY, OFFCODE_CRYPTO_BACKEND: 'wasm' }).config;
    const server = await createOffcodeServer({
      config,
      storage,
      crypto: timedEngine(getOffcodeCrypto('wasm'), acc),
    });
    const cipher = new AtRestCipher(config.masterKey);
    const app = `bench-${randomBytes(4).toString('hex')}`;
    await server.applications.create({ applicationId: app });
    // Warm-up of the whole path (JIT, each connection's prepared statements, buffer caches), untimed, for
    // both protocols before the first timed row: otherwise the first scenario pays for it alone.
    for (const protocol of [3, 4]) await warmUp(server, app, protocol);
    const cases = [];
    for (const protocol of [3, 4]) {
      for (const [scenario, skip] of SCENARIOS) {
        const wrong = scenario.startsWith('failed');
        // Invalid codes count failures: spread them over activations that allow 60 each.
        const perDevice = wrong ? 60 : N;
        const requests = [];
        let device;
        while (requests.length < N) {
          device = await activate(server, app, protocol, wrong ? 64 : 5);
          requests.push(
            ...(await prepare(server, device, Math.min(perDevice, N - requests.length), wrong, skip)),
          );
        }
        const keysMs = await keyDerivationMs(raw, cipher, device.activationId, protocol);
        cases.push({
          protocol,
          scenario,
          skip,
          wrong,
          requests,
          keysMs,
          latencies: [],
          total: 0,
          storage: 0,
          engine: 0,
          valid: 0,
        });
      }
    }
    // The timed passes: ROUNDS rounds, each verifying the next slice of every case's codes, the case order
    // reversed every other round, so that nothing that changes over time (autovacuum, caches, the other
    // process on the core) lands on one row only.
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? cases : [...cases].reverse();
      for (const c of order) {
        const slice = c.requests.slice((round * N) / ROUNDS, ((round + 1) * N) / ROUNDS);
        acc.storage = 0;
        acc.engine = 0;
        const t = now();
        for (const r of slice) {
          const t0 = now();
          const outcome = await server.offline.verifyOutcome(c.protocol, r);
          c.latencies.push(now() - t0);
          if (outcome.valid) c.valid++;
        }
        c.total += now() - t;
        c.storage += acc.storage;
        c.engine += acc.engine;
      }
    }
    for (const c of cases) {
      const { protocol, scenario, skip, wrong, latencies, total } = c;
      latencies.sort((x, y) => x - y);
      if (c.valid !== (wrong ? 0 : N)) throw new Error(`unexpected result: ${c.valid} valid`);
      const keys = c.keysMs * N;
      rows.push({
        database: label,
        protocol: `V${protocol}`,
        scenario,
        verifications: N,
        perSecond: Math.round((N / total) * 1000),
        meanMs: +(total / N).toFixed(3),
        medianMs: +latencies[latencies.length >> 1].toFixed(3),
        minMs: +latencies[0].toFixed(3),
        maxMs: +latencies.at(-1).toFixed(3),
        storagePct: +((c.storage / total) * 100).toFixed(1),
        cryptoPct: +(((c.engine + keys) / total) * 100).toFixed(1),
        enginePct: +((c.engine / total) * 100).toFixed(1),
        keyDerivationPct: +((keys / total) * 100).toFixed(1),
        otherPct: +(((total - c.storage - c.engine - keys) / total) * 100).toFixed(1),
      });
      // The phases from a second, shorter pass on fresh codes (the timed passes run without the timer):
      // where the time of one verification goes.
      const phaseDevice = await activate(server, app, protocol, wrong ? 64 : 5);
      const phaseRequests = await prepare(server, phaseDevice, Math.min(N, 60), wrong, skip);
      rows.at(-1).phases = await withPhases(async () => {
        for (const r of phaseRequests) await server.offline.verifyOutcome(protocol, r);
      });
      console.error(`  ${label} V${protocol} ${scenario}: ${rows.at(-1).perSecond}/s`);
    }
    // Parallel: 8 callers at once on 8 different activations (PostgreSQL uses 8 connections, PGlite queues).
    for (const protocol of [3, 4]) {
      const lanes = 8;
      const perLane = Math.ceil(N / lanes);
      const work = [];
      for (let i = 0; i < lanes; i++)
        work.push(await prepare(server, await activate(server, app, protocol), perLane, false));
      const t = now();
      const counts = await Promise.all(
        work.map(async (requests) => {
          let valid = 0;
          for (const r of requests) if ((await server.offline.verifyOutcome(protocol, r)).valid) valid++;
          return valid;
        }),
      );
      const total = now() - t;
      const done = lanes * perLane;
      if (counts.reduce((a, b) => a + b, 0) !== done)
        throw new Error('unexpected invalid result in parallel run');
      rows.push({
        database: label,
        protocol: `V${protocol}`,
        scenario: `valid, ${lanes} parallel activations`,
        verifications: done,
        perSecond: Math.round((done / total) * 1000),
        meanMs: +((total / done) * lanes).toFixed(3),
        storagePct: null,
        cryptoPct: null,
        enginePct: null,
        keyDerivationPct: null,
        otherPct: null,
      });
      console.error(`  ${label} V${protocol} parallel: ${rows.at(-1).perSecond}/s`);
    }
    await server.close();
  } finally {
    await cleanup();
  }
  return rows;
}

async function runPglite() {
  return runDatabase('pglite', async () => {
    const storage = await openStorage({
      databaseUrl: null,
      dataDir: 'memory://',
      dbPoolMax: 1,
      autoMigrate: true,
    });
    return { storage, cleanup: () => storage.close() };
  });
}

async function runPostgres() {
  try {
    const schema = `oc_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    return await runDatabase('postgresql', async () => {
      const storage = await openStorage(
        { databaseUrl: PG_URL, dataDir: '', dbPoolMax: 4, autoMigrate: true },
        { schema },
      );
      return {
        storage,
        cleanup: async () => {
          await storage.close();
          await admin.query(`DROP SCHEMA ${schema} CASCADE`);
          await admin.end();
        },
      };
    });
  } catch (error) {
    console.error(
      `bench: PostgreSQL at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} not measured: ${error.message}`,
    );
    return [];
  }
}

/**
 * Each database in a process of its own (this script again, BENCH_DATABASES=one): measured in one process
 * after PGlite, PostgreSQL's sequential verifications were about 40 % slower (PGlite's WebAssembly heap and
 * its garbage stay behind after close), which is no property of the server.
 */
function runInChild(database) {
  const dir = mkdtempSync(join(tmpdir(), 'offcode-verify-bench-'));
  const out = join(dir, 'results.json');
  try {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_DATABASES: database, BENCH_OUT: out },
      stdio: ['ignore', 'ignore', 'inherit'],
      // Below apps/bench's 15-minute limit for this script: a stuck child never outlives its parent's kill.
      timeout: 14 * 60_000,
    });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`bench (${database}) exited with ${r.signal ?? r.status}`);
    return JSON.parse(readFileSync(out, 'utf8')).results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const RUNNERS = { pglite: runPglite, postgresql: runPostgres };
// BENCH_DATABASES: which databases, comma-separated (default both, each in its own process)
const databases = (process.env.BENCH_DATABASES ?? 'pglite,postgresql').split(',');
for (const d of databases) if (!RUNNERS[d]) throw new Error(`BENCH_DATABASES: unknown database ${d}`);
const results = [];
if (databases.length === 1) {
  console.error(`bench: ${N} verifications per scenario (${databases[0]})`);
  results.push(...(await RUNNERS[databases[0]]()));
} else {
  for (const d of databases) results.push(...runInChild(d));
}

const header = [
  'database',
  'protocol',
  'scenario',
  'verifies/s',
  'mean ms',
  'storage %',
  'crypto %',
  '(engine %',
  'keys %)',
  'other %',
];
const table = results.map((r) =>
  [
    r.database,
    r.protocol,
    r.scenario,
    r.perSecond,
    r.meanMs,
    r.storagePct,
    r.cryptoPct,
    r.enginePct,
    r.keyDerivationPct,
    r.otherPct,
  ].map((v) => (v === null ? '-' : String(v))),
);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table) console.log(line(row));

const out = {
  command: 'pnpm --filter @offcode/server bench',
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  verificationsPerScenario: N,
  notes:
    'Sequential verifications in-process (the parallel rows: 8 callers on 8 activations, mean ms = per verify latency, no shares). storage = SQL statements + transaction handling; crypto = engine search + key derivation (AES-GCM open + KDF; ECDH only for V3 rows without a sealed master secret); other = validation, data candidates, JSON.',
  results,
};
// BENCH_OUT: where to write the JSON (apps/bench runs this script in quick mode and reads it back)
const target = process.env.BENCH_OUT ?? join(here, 'results.json');
writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\nwrote ${target}`);
