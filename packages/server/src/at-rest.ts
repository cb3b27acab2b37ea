/**
 * Encryption at rest (server.md §5.2): AES-256-GCM envelopes bound to their row through the AAD, and the
 * audit code digest. Envelope = 0x01 ‖ keyId(4) ‖ iv(12) ‖ ciphertext ‖ tag(16).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { OffcodeError } from './errors.js';

export const ENVELOPE_VERSION = 0x01;
/** `key_encryption` / `private_key_encryption` column values. */
export const ENCRYPTION_NONE = 0;
export const ENCRYPTION_AES_GCM = 1;

const HEADER = 1 + 4 + 12;
const TAG = 16;

interface AtRestKey {
  key: Uint8Array;
  id: Uint8Array;
}

export interface SealedValue {
  bytes: Uint8Array;
  encryption: typeof ENCRYPTION_NONE | typeof ENCRYPTION_AES_GCM;
}

/** AAD strings of server.md §5.2, one per encrypted column. */
export const aad = {
  serverPrivateKey: (activationId: string, protocolVersion: number): string =>
    `offcode:v1|oc_activation.server_private_key|${activationId}|${protocolVersion}`,
  activationSecret: (activationId: string, protocolVersion: number): string =>
    `offcode:v1|oc_activation.activation_secret|${activationId}|${protocolVersion}`,
  masterPrivateKey: (applicationName: string, algorithm: string, publicKeyB64: string): string =>
    `offcode:v1|oc_master_keypair.private_key|${applicationName}|${algorithm}|${publicKeyB64}`,
  /** A PowerAuth 3.3 temporary ECIES key, bound to its id, application key and (activation scope) activation. */
  temporaryPrivateKey: (keyId: string, applicationKey: string, activationId: string | null): string =>
    `offcode:v1|oc_temporary_key.private_key|${keyId}|${applicationKey}|${activationId ?? ''}`,
  /**
   * A sealed column of a table set (server.md §5.7): `table.column` is the purpose, `rowKey` the row. Table-set
   * tables never share a name with the server's, so these never equal one of the server's AADs.
   */
  tableSetColumn: (purpose: string, rowKey: string): string => `offcode:v1|${purpose}|${rowKey}`,
};

const keyIdOf = (key: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(key).digest().subarray(0, 4));

const nodeHmacSha256 = (key: Uint8Array, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHmac('sha256', key).update(data).digest());

export class AtRestCipher {
  readonly #current: AtRestKey | null;
  readonly #all: AtRestKey[];
  readonly #auditKey: Uint8Array | null;

  readonly #hmacSha256: (key: Uint8Array, data: Uint8Array) => Uint8Array;

  /**
   * `hmacSha256` computes the audit code digest; the server passes its configured engine's, so every MAC
   * of a verification runs on the configured backend (node:crypto when not given).
   */
  constructor(
    masterKey: Uint8Array | null,
    previousKeys: readonly Uint8Array[] = [],
    hmacSha256: (key: Uint8Array, data: Uint8Array) => Uint8Array = nodeHmacSha256,
  ) {
    this.#hmacSha256 = hmacSha256;
    for (const k of [masterKey, ...previousKeys]) {
      if (k !== null && k.length !== 32) throw new TypeError('at-rest keys must be 32 bytes');
    }
    this.#current = masterKey ? { key: Uint8Array.from(masterKey), id: keyIdOf(masterKey) } : null;
    this.#all = [
      ...(this.#current ? [this.#current] : []),
      ...previousKeys.map((k) => ({ key: Uint8Array.from(k), id: keyIdOf(k) })),
    ];
    this.#auditKey = masterKey
      ? new Uint8Array(createHmac('sha256', masterKey).update('offcode/audit-code-digest').digest())
      : null;
  }

  /** True when new values are encrypted. */
  get enabled(): boolean {
    return this.#current !== null;
  }

  /** Hex key id of the current key (for status and messages), or null. */
  get keyId(): string | null {
    return this.#current ? Buffer.from(this.#current.id).toString('hex') : null;
  }

  /** Encrypts with the current key, or returns the plaintext (copied) in plaintext mode. */
  seal(plaintext: Uint8Array, aadText: string): SealedValue {
    if (!this.#current) return { bytes: Uint8Array.from(plaintext), encryption: ENCRYPTION_NONE };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, iv);
    cipher.setAAD(Buffer.from(aadText, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const out = new Uint8Array(HEADER + body.length + TAG);
    out[0] = ENVELOPE_VERSION;
    out.set(this.#current.id, 1);
    out.set(iv, 5);
    out.set(body, HEADER);
    out.set(cipher.getAuthTag(), HEADER + body.length);
    return { bytes: out, encryption: ENCRYPTION_AES_GCM };
  }

  /**
   * Decrypts a stored value. Errors: ERR0020 (encrypted but no key configured), ERR0021 (unknown envelope
   * version, key id or mode), ERR0022 (authentication failed: tampered or moved to another row).
   */
  open(stored: Uint8Array, encryption: number, aadText: string): Uint8Array {
    if (encryption === ENCRYPTION_NONE) return Uint8Array.from(stored);
    if (encryption !== ENCRYPTION_AES_GCM) throw new OffcodeError('ERR0021');
    if (this.#all.length === 0) throw new OffcodeError('ERR0020');
    if (stored.length < HEADER + TAG || stored[0] !== ENVELOPE_VERSION) throw new OffcodeError('ERR0021');
    const id = stored.subarray(1, 5);
    const entry = this.#all.find((k) => timingSafeEqual(k.id, id));
    if (!entry) throw new OffcodeError('ERR0021', 'Unsupported encryption mode: unknown key id.');
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, stored.subarray(5, HEADER));
      decipher.setAAD(Buffer.from(aadText, 'utf8'));
      decipher.setAuthTag(stored.subarray(stored.length - TAG));
      const out = Buffer.concat([
        decipher.update(stored.subarray(HEADER, stored.length - TAG)),
        decipher.final(),
      ]);
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    } catch {
      throw new OffcodeError('ERR0022');
    }
  }

  /** The current key's 4-byte id (what re-sealing compares envelopes against), or null in plaintext mode. */
  get keyIdBytes(): Uint8Array | null {
    return this.#current ? Uint8Array.from(this.#current.id) : null;
  }

  /** Hex key id inside an envelope (for start-up checks and messages), or null. */
  static envelopeKeyId(stored: Uint8Array): string | null {
    return stored.length >= HEADER && stored[0] === ENVELOPE_VERSION
      ? Buffer.from(stored.subarray(1, 5)).toString('hex')
      : null;
  }

  /** `HMAC-SHA256(K_audit, UTF-8(activationId + "|" + code))`, or null without a master key. */
  auditCodeDigest(activationId: string, code: string): Uint8Array | null {
    if (!this.#auditKey) return null;
    return this.#hmacSha256(this.#auditKey, new TextEncoder().encode(`${activationId}|${code}`));
  }
}
