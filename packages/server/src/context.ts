/** What every service needs: configuration, storage, at-rest cipher, crypto suite, registry, clock, test hooks. */
import type { CryptoSuite, Curve, EcKeyPair, ProtocolVersion } from '@offcode/protocol';
import type { AtRestCipher } from './at-rest.js';
import type { OffcodeConfig } from './config.js';
import type { PayloadRegistry } from './repo/payload-registry.js';
import type { RequestSchemas } from './schema/requests.js';
import type { SqlExecutor, Storage } from './storage/types.js';

/**
 * Test-only interception points (crash-safety tests). They run inside the verify transaction while the
 * activation row lock is held; throwing from one aborts the transaction like a crash would.
 */
export interface ServerHooks {
  /** Right after `SELECT … FOR UPDATE` returned the activation row. */
  afterVerifyLock?: (tx: SqlExecutor, activationId: string) => Promise<void> | void;
  /** After every write of a verification, just before COMMIT. */
  beforeVerifyCommit?: (tx: SqlExecutor, activationId: string) => Promise<void> | void;
  /** Replaces the activation-id generator (collision tests). */
  generateActivationId?: () => string;
  /** Replaces the activation-code generator (collision tests). */
  generateActivationCode?: () => string;
  /** Replaces the server key pair of a key exchange (transcript replays). */
  generateServerKeyPair?: (curve: Curve) => EcKeyPair;
  /** Replaces the fresh CTR_DATA of a key exchange (transcript replays). */
  generateCtrData?: (version: ProtocolVersion) => Uint8Array;
  /** PowerAuth 3.3 enrollment: randomness and server times (transcript replays), crash points. */
  enrollment?: EnrollmentHooks;
}

/** Interception points of the `/pa/v3/*` entry points (tests only). */
export interface EnrollmentHooks {
  /** The temporary key pair and its id of the next keystore/create. */
  temporaryKey?: () => { keyId: string; keyPair: EcKeyPair };
  /** Nonce and timestamp of an ECIES response, per layer (sharedInfo1 of the request it answers). */
  eciesResponse?: (sharedInfo1: string) => { nonce: Uint8Array; timestamp: number };
  /** Nonce and reserved bytes of the next status blob. */
  statusBlob?: () => { nonce: Uint8Array; reserved: Uint8Array };
  /** Inside activation/create's transaction after every write, just before COMMIT. */
  beforeActivationCommit?: (tx: SqlExecutor, activationId: string) => Promise<void> | void;
}

export interface ServerContext {
  readonly config: OffcodeConfig;
  readonly storage: Storage;
  readonly cipher: AtRestCipher;
  /** The one crypto suite of this server (engine from `cryptoBackend` or the `crypto` option, EC/AES auto). */
  readonly suite: CryptoSuite;
  readonly schemas: RequestSchemas;
  /** The issued-payload registry (server.md §3.4); the services reach the registry only through it. */
  readonly registry: PayloadRegistry;
  readonly hooks: ServerHooks;
  /** The server clock (injectable so tests can move time without sleeping). */
  now(): Date;
}
