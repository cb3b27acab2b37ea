/**
 * Fixtures of the /pa/v3 suites: the recorded PowerAuth SDK transcript (test-vectors/v3/activation), an
 * application installed with the transcript's credentials and P-256 master key pair (sealed as the server
 * seals it), and table snapshots for "nothing was written" checks. The server's own suites have the same
 * fixtures; this package does not reach into their folder (each package type-checks on its own).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCryptoSuite, decodeBase64Strict, publicKeyFromPrivate } from '@offcode/protocol';
import type { OffcodeServer, openStorage } from '@offcode/server';
import { AtRestCipher, aad } from '@offcode/server/internal';
import { REPO_VECTORS_DIR } from '../../../scripts/vector-paths.mjs';

export const TEST_MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

type Storage = Awaited<ReturnType<typeof openStorage>>;
// biome-ignore lint/suspicious/noExplicitAny: the transcript is read as recorded JSON
export type Json = any;

export const transcript: Json = JSON.parse(
  readFileSync(join(REPO_VECTORS_DIR, 'v3/activation/activation-transcript.json'), 'utf8'),
).transcript;

export const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
export const b64 = (text: string): Uint8Array => decodeBase64Strict(text);

export class TestClock {
  t = Date.UTC(2025, 4, 1, 10, 0, 0);
  readonly now = (): number => this.t;
}

/** An application (commit on key exchange) with the transcript's key, secret and master key pair. */
export async function installTranscriptApplication(server: OffcodeServer, storage: Storage): Promise<string> {
  const app = transcript.application;
  const name = `pa3-transcript-${randomBytes(5).toString('hex')}`;
  await server.applications.create({ applicationId: name, commitOnKeyExchange: true });
  const id = Number(
    (await storage.query<{ id: unknown }>('SELECT id FROM oc_application WHERE name = $1', [name])).rows[0]!
      .id,
  );
  await storage.query(
    'UPDATE oc_application_version SET application_key = $1, application_secret = $2 WHERE application_id = $3',
    [app.applicationKey, app.applicationSecret, id],
  );
  const sealed = new AtRestCipher(b64(TEST_MASTER_KEY)).seal(
    hex(app.masterServerKeyPair.privateKeyHex),
    aad.masterPrivateKey(name, 'EC_P256', app.masterServerPublicKeyUncompressedBase64),
  );
  await storage.query(
    `UPDATE oc_master_keypair SET private_key = $1, private_key_encryption = $2, public_key = $3
     WHERE application_id = $4 AND algorithm = 'EC_P256'`,
    [sealed.bytes, sealed.encryption, b64(app.masterServerPublicKeyUncompressedBase64), id],
  );
  return name;
}

const SUITE = createCryptoSuite({ engine: 'wasm' });

/** A key pair of the transcript (private key hex) with its uncompressed public key. */
export function recordedKeyPair(privateKeyHex: string) {
  const privateKey = hex(privateKeyHex);
  return { privateKey, publicKey: publicKeyFromPrivate(SUITE, 'P-256', privateKey) };
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
