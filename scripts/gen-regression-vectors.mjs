#!/usr/bin/env node
// Regression vectors of the project's own (issue 11): the repository never carries the files published by the
// PowerAuth project, so a clone without ../shared/vectors still replays cases of the same shapes. This script
// (1) replays every published file on two crypto suites and refuses to write anything if one case fails, then
// (2) draws inputs from a seeded generator (SHA-256 in counter mode: reproducible, no Math.random) and records
// what the implementation outputs, in the shape of the published file.
//
//   node scripts/gen-regression-vectors.mjs [--out <dir>]     (default test-vectors/regression; build first)
//
// Exit codes: 0 written, 1 a published case failed (nothing written), 2 bad usage / missing inputs.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  isDirectory,
  loadPublished,
  PUBLISHED_FILES,
  publishedVectors,
  REPO_ROOT,
  REPO_VECTORS_DIR,
  SHARED_VECTORS_ENV,
} from './vector-paths.mjs';

/** Bump when the drawing procedure changes (it changes every recorded value). */
const SEED = 'offcode-regression-vectors/1';
const GENERATOR = 'scripts/gen-regression-vectors.mjs';

const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const fromB64 = (text) => new Uint8Array(Buffer.from(text, 'base64'));
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const fromHex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

/** Deterministic byte stream: SHA-256(seed || label || u32be(block)). One per file, so files are independent. */
export function seededBytes(label) {
  let block = 0;
  let pool = new Uint8Array(0);
  const take = (n) => {
    while (pool.length < n) {
      const h = createHash('sha256').update(`${SEED}\0${label}\0`).update(u32be(block++)).digest();
      pool = Buffer.concat([pool, h]);
    }
    const out = new Uint8Array(pool.subarray(0, n));
    pool = pool.subarray(n);
    return out;
  };
  // An integer in [min, max] (max - min < 2^48; the modulo bias is irrelevant for test inputs).
  const int = (min, max) => min + (Number(BigInt(`0x${hex(take(6))}`)) % (max - min + 1));
  return { take, int };
}

function u32be(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Java's BigInteger.toByteArray() of a scalar: no leading zero bytes, a 00 sign byte when the top bit is set. */
function javaScalar(fixed) {
  let i = 0;
  while (i < fixed.length - 1 && fixed[i] === 0) i++;
  const minimal = fixed.subarray(i);
  return minimal[0] >= 0x80 ? Uint8Array.of(0, ...minimal) : Uint8Array.from(minimal);
}

/** A random valid private key of `curve` in the Java encoding the published files use. */
function drawPrivateKey(p, rng, curve) {
  const size = curve === 'P-256' ? 32 : 48;
  for (;;) {
    const candidate = rng.take(size);
    try {
      return javaScalar(p.normalizePrivateKey(curve, candidate));
    } catch {
      // 0 or >= n: draw again (probability ~2^-32 for P-256, ~2^-190 for P-384).
    }
  }
}

const V3_KEY_FIELDS = ['signaturePossessionKey', 'signatureKnowledgeKey', 'signatureBiometryKey'];

function offlineKeys(input) {
  const [p, k] = V3_KEY_FIELDS.map((f) => fromB64(input[f]));
  if (input.signatureType === 'possession') return [p];
  if (input.signatureType === 'possession_knowledge') return [p, k];
  throw new Error(`unexpected signatureType ${input.signatureType}`);
}

function offlineSignature(suite, input) {
  return suite.engine.computeAuthCode({
    protocol: 3,
    keys: offlineKeys(input),
    counter: fromB64(input.counterData),
    data: fromB64(input.data),
    length: Number(input.signatureComponentLength),
  });
}

const TOTP_ALGORITHMS = { HmacSHA1: ['SHA-1', 20], HmacSHA256: ['SHA-256', 32], HmacSHA512: ['SHA-512', 64] };

function totpOf(p, suite, row) {
  const algorithm = TOTP_ALGORITHMS[row.algorithm]?.[0];
  if (!algorithm) throw new Error(`unexpected algorithm ${row.algorithm}`);
  return p.totp(suite, fromHex(row.seed), row.time, { step: 30, digits: 8, algorithm });
}

/** One entry per published file: its list of cases, how to check one, and how to draw the regression file. */
function kinds(p) {
  return {
    'v3/compute-master-secret-key.json': {
      cases: (doc) => doc.data,
      ok: (suite, { input: i, output }) => {
        const device = b64(
          p.deriveMasterSecretV3(suite, fromB64(i.devicePrivateKey), fromB64(i.serverPublicKey)),
        );
        const server = b64(
          p.deriveMasterSecretV3(suite, fromB64(i.serverPrivateKey), fromB64(i.devicePublicKey)),
        );
        return device === output.masterSecretKey && server === output.masterSecretKey;
      },
      draw: (suite, rng) => ({
        data: Array.from({ length: 20 }, () => {
          const [device, server] = [drawPrivateKey(p, rng, 'P-256'), drawPrivateKey(p, rng, 'P-256')];
          const input = {
            devicePrivateKey: b64(device),
            devicePublicKey: b64(p.publicKeyFromPrivate(suite, 'P-256', device)),
            serverPrivateKey: b64(server),
            serverPublicKey: b64(p.publicKeyFromPrivate(suite, 'P-256', server)),
          };
          const masterSecretKey = b64(p.deriveMasterSecretV3(suite, device, fromB64(input.serverPublicKey)));
          return { input, output: { masterSecretKey } };
        }),
      }),
    },
    'v3/compute-derived-keys.json': {
      cases: (doc) => doc.data,
      ok: (suite, { input, output }) =>
        Object.entries(derivedKeys(p, suite, input.masterSecretKey)).every(([k, v]) => output[k] === v),
      draw: (suite, rng) => ({
        data: Array.from({ length: 20 }, () => {
          const masterSecretKey = b64(rng.take(16));
          return { input: { masterSecretKey }, output: derivedKeys(p, suite, masterSecretKey) };
        }),
      }),
    },
    'v3/signatures-offline.json': {
      cases: (doc) => doc.data,
      ok: (suite, { input, output }) => offlineSignature(suite, input) === output.signature,
      draw: (suite, rng) => ({ data: drawOfflineSignatures(suite, rng) }),
    },
    'v4/ECDHE_P384_Test_Vectors.json': {
      cases: (doc) => doc.ecdhe_test_vectors,
      ok: (suite, c) =>
        b64(
          p.deriveActivationSecretV4(suite, fromB64(c.ecClientPrivateKey), fromB64(c.ecServerPublicKey)),
        ) === c.sharedSecret,
      draw: (suite, rng) => ({
        ecdhe_test_vectors: Array.from({ length: 100 }, () => {
          const client = drawPrivateKey(p, rng, 'P-384');
          const serverPublic = p.publicKeyFromPrivate(suite, 'P-384', drawPrivateKey(p, rng, 'P-384'));
          const sharedSecret = b64(p.deriveActivationSecretV4(suite, client, serverPublic));
          return { ecClientPrivateKey: b64(client), ecServerPublicKey: b64(serverPublic), sharedSecret };
        }),
      }),
    },
    'v4/Hash_Based_Counter_Test_Vectors.json': {
      cases: (doc) => doc.hash_based_counter_test_vectors,
      ok: (suite, chain) =>
        Array.from({ length: 20 }, (_, k) => k).every(
          (k) =>
            b64(p.nextCounterData(suite, 4, fromB64(chain[`ctrData[${k}]`]))) === chain[`ctrData[${k + 1}]`],
        ),
      draw: (suite, rng) => ({
        hash_based_counter_test_vectors: Array.from({ length: 10 }, () => {
          const chain = {};
          let ctr = rng.take(32);
          for (let k = 0; k <= 20; k++) {
            chain[`ctrData[${k}]`] = b64(ctr);
            ctr = p.nextCounterData(suite, 4, ctr);
          }
          return chain;
        }),
      }),
    },
    'v4/data.csv': {
      cases: (doc) => doc.rows,
      ok: (suite, row) => totpOf(p, suite, row) === row.totp,
      draw: (suite, rng) => ({ rows: drawTotpRows(p, suite, rng) }),
    },
  };
}

function derivedKeys(p, suite, masterSecretKey) {
  const k = p.deriveKeysV3(suite, fromB64(masterSecretKey));
  return {
    signaturePossessionKey: b64(k.possession),
    signatureKnowledgeKey: b64(k.knowledge),
    signatureBiometryKey: b64(k.biometry),
    transportKey: b64(k.transport),
    vaultEncryptionKey: b64(k.vault),
  };
}

/**
 * 200 cases like the published file: per length L = 4..8 one key set and two runs of 20 consecutive counter
 * values (10 `possession`, then 10 `possession_knowledge`); DATA is 0..253 random bytes, two cases empty.
 */
function drawOfflineSignatures(suite, rng) {
  const cases = [];
  for (let length = 4; length <= 8; length++) {
    const keys = Object.fromEntries(V3_KEY_FIELDS.map((f) => [f, b64(rng.take(16))]));
    for (let run = 0; run < 2; run++) {
      let counter = rng.take(16);
      for (let n = 0; n < 20; n++) {
        const empty = cases.length === 14 || cases.length === 114;
        const input = {
          ...keys,
          signatureType: n < 10 ? 'possession' : 'possession_knowledge',
          signatureComponentLength: String(length),
          counterData: b64(counter),
          data: b64(rng.take(empty ? 0 : rng.int(0, 253))),
        };
        cases.push({ input, output: { signature: offlineSignature(suite, input) } });
        counter = suite.engine.nextCounter(3, counter);
      }
    }
  }
  return cases;
}

/** 8 rows per HMAC (SHA-1, SHA-256, SHA-512) with seeds of the RFC 6238 lengths and times up to year 2603. */
function drawTotpRows(p, suite, rng) {
  return Object.entries(TOTP_ALGORITHMS).flatMap(([algorithm, [, seedBytes]]) =>
    Array.from({ length: 8 }, () => {
      const time = rng.int(0, 20_000_000_000);
      const row = {
        time,
        utcTime: new Date(time * 1000).toISOString().replace('.000Z', 'Z'),
        t: Math.floor(time / 30)
          .toString(16)
          .toUpperCase()
          .padStart(16, '0'),
        totp: '',
        algorithm,
        seed: hex(rng.take(seedBytes)),
      };
      row.totp = totpOf(p, suite, row);
      return row;
    }),
  );
}

/** Indices of the cases of `doc` that do not replay on `suite` (a case that throws counts as failed). */
function failingCases(kind, suite, doc) {
  const cases = kind.cases(doc);
  if (!Array.isArray(cases) || cases.length === 0) return ['(no cases)'];
  return cases.flatMap((c, n) => {
    try {
      return kind.ok(suite, c) ? [] : [n];
    } catch {
      return [n];
    }
  });
}

/** One line per published file and suite with failing cases (empty when every case passes). */
function replayPublished(p, suites, published) {
  const table = kinds(p);
  return Object.keys(PUBLISHED_FILES).flatMap((path) => {
    let doc;
    try {
      doc = loadPublished(published, path);
    } catch (error) {
      return [`${path}: unreadable (${error.message})`];
    }
    return suites.flatMap(([name, suite]) => {
      const failed = failingCases(table[path], suite, doc);
      return failed.length
        ? [`${path}: ${failed.length} case(s) fail on ${name} (first: #${failed[0]})`]
        : [];
    });
  });
}

/** Every regression file as the exact text to write (same input → same bytes). */
export function buildRegressionFiles(p, suite) {
  const table = kinds(p);
  return Object.entries(PUBLISHED_FILES).map(([path, twin]) => {
    const body = table[path].draw(suite, seededBytes(path));
    const doc = {
      description:
        `Offcode regression vectors in the shape of the published ${basename(path)}: inputs drawn from the seed ` +
        `"${SEED}", outputs recorded from the implementation after it replayed every published case. ` +
        `Regenerate with: node ${GENERATOR}`,
      ...body,
    };
    if (failingCases(table[path], suite, doc).length)
      throw new Error(`${twin}: the recorded file does not replay`);
    return { file: twin, text: `${JSON.stringify(doc, null, 2)}\n` };
  });
}

async function loadProtocol() {
  const entry = join(REPO_ROOT, 'packages', 'protocol', 'dist', 'index.js');
  try {
    return await import(pathToFileURL(entry).href);
  } catch (error) {
    throw new UsageError(`cannot load ${entry} (${error.message}); build first: pnpm exec turbo run build`);
  }
}

class UsageError extends Error {}

function parseArgs(argv) {
  if (argv.length === 0) return { out: join(REPO_VECTORS_DIR, 'regression') };
  if (argv.length === 2 && argv[0] === '--out' && argv[1]) return { out: resolve(argv[1]) };
  throw new UsageError('usage: node scripts/gen-regression-vectors.mjs [--out <dir>]');
}

export async function main(argv = process.argv.slice(2)) {
  const { out } = parseArgs(argv);
  const published = publishedVectors();
  if (!isDirectory(published.dir)) {
    throw new UsageError(
      `published PowerAuth vectors not found at ${published.dir}: they are replayed before anything is recorded (set ${SHARED_VECTORS_ENV})`,
    );
  }
  const p = await loadProtocol();
  const suites = [
    ['noble+noble', p.createCryptoSuite({ engine: 'noble', impl: 'noble' })],
    ['wasm+node', p.createCryptoSuite({ engine: 'wasm', impl: 'node' })],
  ];
  const failures = replayPublished(p, suites, published);
  if (failures.length) {
    for (const line of failures) console.error(`published case failed: ${line}`);
    console.error('nothing written: fix the implementation first');
    return 1;
  }
  const files = buildRegressionFiles(p, suites[0][1]);
  for (const { file, text } of files) {
    const target = join(out, basename(file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  console.log(
    `replayed ${Object.keys(PUBLISHED_FILES).length} published files; wrote ${files.length} to ${out}`,
  );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof UsageError ? error.message : `gen-regression-vectors: ${error.stack}`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
