// HTTP load against apps/api with autocannon: payload creation and verification throughput and p50/p99 at 1,
// 16 and 64 connections, on PostgreSQL with 1 and 2 API processes (child processes on a fresh database).
// Every verification body is sent twice — the copies race, through both processes when there are two — and
// every accepted verification is recorded: a code accepted twice is a double acceptance.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimulatedToken } from '@offcode/sim-token';
import autocannon from 'autocannon';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const API_MAIN = join(root, 'apps', 'api', 'dist', 'main.js');
const ADMIN_URL = process.env.OFFCODE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PROTOCOL = 3;
const V = `/rest/v${PROTOCOL}`;
const CREATE = `${V}/signature/offline/personalized/create`;
const VERIFY = `${V}/signature/offline/verify`;

async function startApi(databaseUrl, masterKey) {
  const child = spawn(process.execPath, [API_MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      OFFCODE_PORT: '0',
      OFFCODE_HOST: '127.0.0.1',
      OFFCODE_MASTER_KEY: masterKey,
      OFFCODE_DEMO_ENABLED: 'false',
      OFFCODE_LOG_LEVEL: 'warn',
      OFFCODE_MAX_FAILED_ATTEMPTS: '64',
      OFFCODE_DB_POOL_MAX: '16',
      // No payload registry: a replayed code then reaches the counter check under the row lock (the path
      // that must never accept twice); with the registry on it would be refused earlier by the nonce.
      OFFCODE_PAYLOAD_REGISTRY: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`API did not start: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /Offcode API: (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`API exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

async function post(url, path, body) {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ requestObject: body }),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.responseObject;
}

const operation = (i) => `op-${i}\nPayment\nPay 100.00 EUR\nA1*A100.00EUR*ICZ2730300000001165254011\n`;

async function activateTokens(url, applicationId, count) {
  const tokens = [];
  for (let i = 0; i < count; i++) {
    const init = await post(url, `${V}/activation/init`, {
      userId: `load-${i}`,
      applicationId,
      maxFailureCount: 64,
    });
    const token = new SimulatedToken(PROTOCOL);
    token.complete(
      await post(url, '/rest/offcode/activation/exchange', token.exchangeRequest(init.activationCode)),
    );
    tokens.push(token);
  }
  return tokens;
}

function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ ...opts, timeout: 30 }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

let opCounter = 0;

/** Payload creation: each connection creates payloads for its own activation. */
async function createLoad(urls, tokens, connections, durationS) {
  const started = performance.now();
  const results = await Promise.all(
    urls.map((url) =>
      cannon({
        url,
        connections,
        duration: durationS,
        requests: [
          {
            method: 'POST',
            path: CREATE,
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => {
              const token = tokens[Math.floor(Math.random() * tokens.length)];
              const body = { activationId: token.activationId, data: operation(++opCounter) };
              return { ...req, body: JSON.stringify({ requestObject: body }) };
            },
          },
        ],
      }),
    ),
  );
  return summarize(results, performance.now() - started);
}

/** Verification: per lane (activation) an ordered queue of codes, each body twice; all processes share the lanes. */
async function verifyLoad(url0, urls, tokens, connections, perLane) {
  const lanes = tokens.slice(0, connections);
  const queues = [];
  for (const token of lanes) {
    const q = [];
    for (let i = 0; i < perLane; i++) {
      const created = await post(url0, CREATE, {
        activationId: token.activationId,
        data: operation(++opCounter),
      });
      const body = token.verifyRequest(created.offlineData);
      const key = `${token.activationId}/${body.signature ?? body.authenticationCode}/${i}`;
      q.push({ body, key }, { body, key });
    }
    queues.push(q);
  }
  const accepted = new Map();
  let sent = 0;
  const total = queues.reduce((n, q) => n + q.length, 0);
  const started = performance.now();
  const results = await Promise.all(
    urls.map((url) => {
      let nextLane = 0;
      return cannon({
        url,
        connections,
        amount: Math.ceil(total / urls.length),
        requests: [
          {
            method: 'POST',
            path: VERIFY,
            headers: { 'content-type': 'application/json' },
            setupRequest: (req, ctx) => {
              ctx.lane ??= nextLane++ % lanes.length;
              let item = queues[ctx.lane].shift();
              for (let l = 0; !item && l < queues.length; l++)
                item = queues[(ctx.lane + l) % queues.length].shift();
              ctx.key = item?.key;
              if (!item) return { ...req, method: 'GET', path: '/healthz', body: undefined };
              sent++;
              return { ...req, body: JSON.stringify({ requestObject: item.body }) };
            },
            onResponse: (status, body, ctx) => {
              if (status !== 200 || !ctx.key) return;
              const r = JSON.parse(body).responseObject;
              if (r?.signatureValid === true || r?.authenticationValid === true) {
                accepted.set(ctx.key, (accepted.get(ctx.key) ?? 0) + 1);
              }
            },
          },
        ],
      });
    }),
  );
  const s = summarize(results, performance.now() - started);
  const doubles = [...accepted.values()].filter((n) => n > 1).length;
  return { ...s, double_accepts: doubles, accepted: accepted.size, codes: total / 2, sent };
}

function summarize(results, elapsedMs) {
  const requests = results.reduce((n, r) => n + r.requests.total, 0);
  return {
    rps: Math.round((requests / elapsedMs) * 1000),
    p50_ms: Math.max(...results.map((r) => r.latency.p50)),
    p99_ms: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
    requests,
  };
}

export async function runHttpBench({ quick }) {
  const dbName = `offcode_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  const masterKey = randomBytes(32).toString('base64');
  const rows = [];
  const durationS = quick ? 2 : 8;
  const minCodes = quick ? 48 : 384; // per verification run, spread over the lanes
  const connectionCounts = [1, 16, 64];
  const apis = [];
  try {
    for (const processes of [1, 2]) {
      while (apis.length < processes) apis.push(await startApi(databaseUrl, masterKey));
      const urls = apis.map((a) => a.url);
      const app = `load-${processes}-${randomBytes(3).toString('hex')}`;
      await post(urls[0], `${V}/application/create`, { applicationId: app, commitOnKeyExchange: true });
      const tokens = await activateTokens(urls[0], app, Math.max(...connectionCounts) * processes);
      for (const connections of connectionCounts) {
        const setup = `PostgreSQL, ${processes} API process${processes > 1 ? 'es' : ''}, ${connections} connection${connections > 1 ? 's' : ''}${processes > 1 ? ' each' : ''}`;
        const c = await createLoad(urls, tokens, connections, durationS);
        rows.push({
          group: 'http',
          name: `V${PROTOCOL} payload create`,
          setup,
          rps: c.rps,
          p50_ms: c.p50_ms,
          p99_ms: c.p99_ms,
          errors: c.errors,
          double_accepts: 0,
        });
        const perLane = Math.ceil(minCodes / connections);
        const v = await verifyLoad(urls[0], urls, tokens.slice(0, connections), connections, perLane);
        rows.push({
          group: 'http',
          name: `V${PROTOCOL} verify (each code sent twice)`,
          setup,
          rps: v.rps,
          p50_ms: v.p50_ms,
          p99_ms: v.p99_ms,
          errors: v.errors,
          double_accepts: v.double_accepts,
          accepted: v.accepted,
          codes: v.codes,
        });
        console.error(
          `  http ${setup}: create ${c.rps}/s, verify ${v.rps}/s, accepted ${v.accepted}/${v.codes}, double ${v.double_accepts}`,
        );
      }
    }
  } finally {
    await Promise.all(apis.map((a) => a.stop()));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  return rows;
}

export function httpTable(rows) {
  return [
    '| benchmark | setup | req/s | p50 ms | p99 ms | errors | accepted / codes | double accepts |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.setup} | ${r.rps} | ${r.p50_ms} | ${r.p99_ms} | ${r.errors} | ${r.codes ? `${r.accepted} / ${r.codes}` : '-'} | ${r.double_accepts} |`,
    ),
  ].join('\n');
}
