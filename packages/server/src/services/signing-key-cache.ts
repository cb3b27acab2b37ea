/**
 * The payload signing keys of one server, prepared once (server.md §5.4 "Signing-key cache"): a bounded LRU
 * map from a sealed private key (the envelope bytes as stored, with their AAD and encryption mode) to the
 * key imported into node:crypto (`EcdsaSigningKey`, native memory, never exported). Importing the key is
 * most of a V3 signature's CPU (public point and JWK import); unsealing it runs AES-GCM and the scalar
 * checks. The row is still read for every request and decides: a revoked or blocked activation is refused
 * before its key is looked up, and a re-sealed, rotated or tampered key is different bytes, hence a miss that
 * opens (and authenticates) the stored envelope again. An entry is only ever made from an envelope that
 * opened, so a hit is the result the same bytes gave before.
 */
import { createHash } from 'node:crypto';
import {
  type CryptoSuite,
  type Curve,
  type EcdsaSigningKey,
  prepareEcdsaSigningKey,
} from '@offcode/protocol';
import type { ServerContext } from '../context.js';
import { OffcodeError } from '../errors.js';
import { curveOf, openMasterPrivateKey, openServerPrivateKey } from '../keys.js';
import type { ActivationRow, ApplicationRow, MasterKeyPairRow } from '../repo/rows.js';

/**
 * At most this many keys per server (measured about 3.5 KB of process memory per P-256 key, so at most
 * ~28 MB); the least recently used key goes first.
 */
export const SIGNING_KEY_CACHE_MAX = 8192;

/** Identity of a sealed value: SHA-256 over its AAD, encryption mode and stored bytes (never the plaintext). */
function sealedId(aadText: string, encryption: number, stored: Uint8Array): string {
  return createHash('sha256')
    .update(aadText)
    .update(Uint8Array.of(0, encryption))
    .update(stored)
    .digest('base64');
}

export class SigningKeyCache {
  readonly #max: number;
  readonly #keys = new Map<string, EcdsaSigningKey>();
  hits = 0;
  misses = 0;

  constructor(max = SIGNING_KEY_CACHE_MAX) {
    this.#max = max;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** The key for `id`, or `open()` (which unseals and throws on a bad envelope) prepared and remembered. */
  get(id: string, curve: Curve, suite: CryptoSuite, open: () => Uint8Array): EcdsaSigningKey {
    const hit = this.#keys.get(id);
    if (hit) {
      // Map keeps insertion order: re-inserting makes it the most recently used.
      this.#keys.delete(id);
      this.#keys.set(id, hit);
      this.hits++;
      return hit;
    }
    this.misses++;
    const plain = open();
    let key: EcdsaSigningKey;
    try {
      key = prepareEcdsaSigningKey(suite, curve, plain);
    } finally {
      plain.fill(0);
    }
    if (this.#keys.size >= this.#max) this.#keys.delete(this.#keys.keys().next().value as string);
    this.#keys.set(id, key);
    return key;
  }

  /** V3 personalized: the activation's server private key (P-256); ERR0008 without one, ERR0020..22 from the envelope. */
  serverKey(ctx: ServerContext, row: ActivationRow): EcdsaSigningKey {
    if (!row.serverPrivateKey || row.protocolVersion !== 3) throw new OffcodeError('ERR0008');
    const id = sealedId(
      `server:${row.activationId}|${row.protocolVersion}`,
      row.keyEncryption,
      row.serverPrivateKey,
    );
    return this.get(id, 'P-256', ctx.suite, () => openServerPrivateKey(ctx, row));
  }

  /** Non-personalized: the application's master private key of `master`'s algorithm. */
  masterKey(
    ctx: ServerContext,
    app: Pick<ApplicationRow, 'name'>,
    master: MasterKeyPairRow,
  ): EcdsaSigningKey {
    const id = sealedId(
      `master:${app.name}|${master.algorithm}|${Buffer.from(master.publicKey).toString('base64')}`,
      master.privateKeyEncryption,
      master.privateKey,
    );
    return this.get(id, curveOf(master.algorithm), ctx.suite, () => openMasterPrivateKey(ctx, app, master));
  }
}
