/**
 * Fixtures of the enrollment suites: the recorded SDK transcript (test-vectors/v3/activation), an
 * application installed with the transcript's credentials and master key pair, a fresh application with a
 * PowerAuth 3.3 device, and table snapshots for "nothing was written" checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBase64Strict, publicKeyFromPrivate } from '@offcode/protocol';
import { REPO_VECTORS_DIR } from '../../../scripts/vector-paths.mjs';
import { AtRestCipher, aad } from '../src/at-rest.js';
import type { OffcodeServer } from '../src/server.js';
import type { Storage } from '../src/storage/types.js';
import { TEST_MASTER_KEY, uniqueName } from './harness.js';
import { type AppCredentials, Pa3Device } from './pa3-device.js';
import { SUITE } from './suite.js';

// biome-ignore lint/suspicious/noExplicitAny: the transcript is read as recorded JSON
export type Json = any;

export const transcript: Json = JSON.parse(
  readFileSync(join(REPO_VECTORS_DIR, 'v3/activation/activation-transcript.json'), 'utf8'),
).transcript;

export const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
export const b64 = (text: string): Uint8Array => decodeBase64Strict(text);
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

async function applicationRowId(storage: Storage, name: string): Promise<number> {
  const r = await storage.query<{ id: unknown }>('SELECT id FROM oc_application WHERE name = $1', [name]);
  return Number(r.rows[0]!.id);
}

/** An application (ON_KEY_EXCHANGE) with the transcript's APP_KEY, APP_SECRET and P-256 master key pair. */
export async function installTranscriptApplication(server: OffcodeServer, storage: Storage): Promise<string> {
  const app = transcript.application;
  const name = uniqueName('pa3-transcript');
  await server.applications.create({ applicationId: name, commitOnKeyExchange: true });
  const id = await applicationRowId(storage, name);
  await storage.query(
    'UPDATE oc_application_version SET application_key = $1, application_secret = $2 WHERE application_id = $3',
    [app.applicationKey, app.applicationSecret, id],
  );
  const privateKey = hex(app.masterServerKeyPair.privateKeyHex);
  const publicKey = b64(app.masterServerPublicKeyUncompressedBase64);
  const cipher = new AtRestCipher(b64(TEST_MASTER_KEY));
  const sealed = cipher.seal(
    privateKey,
    aad.masterPrivateKey(name, 'EC_P256', app.masterServerPublicKeyUncompressedBase64),
  );
  await storage.query(
    `UPDATE oc_master_keypair SET private_key = $1, private_key_encryption = $2, public_key = $3
     WHERE application_id = $4 AND algorithm = 'EC_P256'`,
    [sealed.bytes, sealed.encryption, publicKey, id],
  );
  return name;
}

/** A key pair of the transcript (private key hex) with its uncompressed public key. */
export function recordedKeyPair(privateKeyHex: string) {
  const privateKey = hex(privateKeyHex);
  return { privateKey, publicKey: publicKeyFromPrivate(SUITE, 'P-256', privateKey) };
}

/** A fresh application and its credentials as a PowerAuth app is configured with them. */
export async function freshApplication(
  server: OffcodeServer,
  extra: Record<string, unknown> = { commitOnKeyExchange: true },
): Promise<{ name: string; credentials: AppCredentials }> {
  const name = uniqueName('pa3');
  await server.applications.create({ applicationId: name, ...extra });
  const detail = await server.applications.detail({ applicationId: name });
  const version = detail.versions[0]!;
  return {
    name,
    credentials: {
      applicationKey: version.applicationKey,
      applicationSecret: version.applicationSecret,
      masterPublicKey: detail.masterPublicKeys.EC_P256!,
    },
  };
}

/** A device with a temporary key from keystore/create. */
export async function deviceWithKey(server: OffcodeServer, credentials: AppCredentials) {
  const device = new Pa3Device(credentials);
  const key = device.temporaryKey(await server.enrollment.keystoreCreate(device.keystoreRequest()));
  return { device, key };
}

/** Row counts of every table enrollment writes, and the rows of one activation, for before/after checks. */
export async function enrollmentSnapshot(storage: Storage, activationId?: string) {
  const count = async (table: string) =>
    Number((await storage.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  const activation = activationId
    ? (
        await storage.query<Record<string, unknown>>(
          `SELECT activation_status, encode(device_public_key, 'hex') AS device, encode(ctr_data, 'hex') AS ctr,
                  counter::text AS counter, failed_attempts, timestamp_last_change
           FROM oc_activation WHERE activation_id = $1`,
          [activationId],
        )
      ).rows[0]
    : null;
  return {
    temporaryKeys: await count('oc_temporary_key'),
    replays: await count('oc_ecies_replay'),
    history: await count('oc_activation_history'),
    audit: await count('oc_auth_audit'),
    activation,
  };
}
