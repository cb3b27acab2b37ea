/**
 * The settings of @offcode/server (server.md §4): storage, keys at rest, protocol limits, blocking, payload
 * registry, compatibility switches. HTTP and application settings (port, host, body limit, credentials, metrics,
 * demo, log level) are declared by the HTTP application (apps/api), not here.
 */
import type { ProtocolVersion } from '@offcode/protocol';
import { hasControlCharacter } from '../text.js';
import { defineSettings, setting } from './declare.js';
import { base64Key, boolean, decimal, integer, listOf, oneOf, subsetOf, text } from './kinds.js';

const SERVER = '@offcode/server';

export type PayloadRegistryMode = 'off' | 'record' | 'enforce';

export const SERVER_SETTINGS = defineSettings({
  databaseUrl: setting<string, string | null>({
    name: 'DATABASE_URL',
    kind: text('`postgres://…` URL', 'must be a postgres:// or postgresql:// URL', (v) =>
      /^postgres(?:ql)?:\/\/\S+$/.test(v),
    ),
    default: null,
    defaultText: 'unset (embedded PGlite)',
    meaning: 'PostgreSQL through `pg`; unset → embedded PGlite in `OFFCODE_DATA_DIR`. May carry a password.',
    secret: true,
    owner: SERVER,
    emptyIsUnset: true,
  }),
  dataDir: setting({
    name: 'OFFCODE_DATA_DIR',
    kind: text(
      'path or `memory://`',
      'must be a path or memory://',
      (v) => v !== '' && !hasControlCharacter(v),
    ),
    default: './.offcode/pgdata',
    meaning:
      'PGlite directory (ignored with `DATABASE_URL`); one process per directory. apps/api defaults to `apps/api/.data/pgdata`.',
    owner: SERVER,
  }),
  dbPoolMax: setting({
    name: 'OFFCODE_DB_POOL_MAX',
    kind: integer(1, 100),
    default: 10,
    meaning: 'PostgreSQL pool size for transactions (single statements share up to 2 more connections)',
    owner: SERVER,
  }),
  dbLockTimeoutMs: setting({
    name: 'OFFCODE_DB_LOCK_TIMEOUT_MS',
    kind: integer(100, 60_000),
    default: 10_000,
    meaning: 'activation row lock wait (ms)',
    owner: SERVER,
  }),
  autoMigrate: setting({
    name: 'OFFCODE_AUTO_MIGRATE',
    kind: boolean,
    default: true,
    meaning: '`false` → refuse to start if the schema is behind',
    owner: SERVER,
  }),
  masterKey: setting<Uint8Array, Uint8Array | null>({
    name: 'OFFCODE_MASTER_KEY',
    kind: base64Key(32),
    default: null,
    defaultText: 'unset (plaintext mode)',
    meaning:
      'at-rest encryption key of private keys and activation secrets; unset → plaintext with a warning at every start, refused on a non-loopback `OFFCODE_HOST` (server.md §6.10)',
    secret: true,
    owner: SERVER,
    emptyIsUnset: true,
  }),
  masterKeyPrevious: setting<Uint8Array[]>({
    name: 'OFFCODE_MASTER_KEY_PREVIOUS',
    kind: listOf(base64Key(32), { trim: true }),
    default: [],
    meaning: 'decrypt-only keys for rotation; needs `OFFCODE_MASTER_KEY`',
    secret: true,
    owner: SERVER,
    emptyIsUnset: true,
  }),
  protocolVersions: setting<ProtocolVersion[]>({
    name: 'OFFCODE_PROTOCOL_VERSIONS',
    kind: subsetOf<ProtocolVersion>([3, 4]),
    default: [3, 4],
    meaning: 'protocol versions accepted by the key exchange',
    owner: SERVER,
  }),
  lookahead: setting({
    name: 'OFFCODE_LOOKAHEAD',
    kind: integer(1, 64),
    default: 20,
    meaning: 'counter window searched by a verification',
    owner: SERVER,
  }),
  componentLength: setting({
    name: 'OFFCODE_COMPONENT_LENGTH',
    kind: integer(4, 8),
    default: 8,
    meaning: 'default digits per code group (answered by every exchange)',
    owner: SERVER,
  }),
  maxFailedAttempts: setting({
    name: 'OFFCODE_MAX_FAILED_ATTEMPTS',
    kind: integer(1, 64),
    default: 5,
    meaning: 'default `max_failed_attempts` of new activations',
    owner: SERVER,
  }),
  activationExpireMs: setting({
    name: 'OFFCODE_ACTIVATION_EXPIRE_MS',
    kind: integer(10_000, 604_800_000),
    default: 300_000,
    meaning: 'default exchange/commit deadline of a new activation (ms)',
    owner: SERVER,
  }),
  temporaryKeyTtlMs: setting({
    name: 'OFFCODE_TEMPORARY_KEY_TTL_MS',
    kind: integer(12_000, 86_400_000),
    default: 300_000,
    meaning:
      'lifetime of a PowerAuth 3.3 temporary ECIES key from `/pa/v3/keystore/create` (ms; the SDK stops using a key 10 s before it expires)',
    owner: SERVER,
  }),
  eciesWindowMs: setting({
    name: 'OFFCODE_ECIES_WINDOW_MS',
    kind: integer(1000, 600_000),
    default: 60_000,
    meaning:
      'an ECIES request timestamp must be within this many ms of the server clock, both sides; replay values are kept at least as long',
    owner: SERVER,
  }),
  tempBlockEnabled: setting({
    name: 'OFFCODE_TEMP_BLOCK_ENABLED',
    kind: boolean,
    default: false,
    meaning: 'temporary instead of permanent blocks (server.md §3.6)',
    owner: SERVER,
  }),
  tempBlockPeriodMs: setting({
    name: 'OFFCODE_TEMP_BLOCK_PERIOD_MS',
    kind: integer(1000, 86_400_000),
    default: 300_000,
    meaning: 'length of the first temporary block (ms)',
    owner: SERVER,
  }),
  tempBlockMultiplier: setting({
    name: 'OFFCODE_TEMP_BLOCK_MULTIPLIER',
    kind: decimal(1, 10),
    default: 2,
    meaning: 'growth of the block length per block',
    owner: SERVER,
  }),
  tempBlockMaxPeriodMs: setting({
    name: 'OFFCODE_TEMP_BLOCK_MAX_PERIOD_MS',
    kind: integer(1000, 31_536_000_000),
    default: 86_400_000,
    defaultText: '`86400000` (raised to the period when that is longer)',
    meaning: 'cap on a block length (ms); must be at least `OFFCODE_TEMP_BLOCK_PERIOD_MS` when given',
    owner: SERVER,
  }),
  tempBlockMaxBlocks: setting({
    name: 'OFFCODE_TEMP_BLOCK_MAX_BLOCKS',
    kind: integer(0, 1000),
    default: 0,
    meaning: '0 = unlimited; else the block after that many temporary ones is permanent',
    owner: SERVER,
  }),
  tempBlockSweepMs: setting({
    name: 'OFFCODE_TEMP_BLOCK_SWEEP_MS',
    kind: integer(1000, 3_600_000, { orZero: true }),
    default: 60_000,
    meaning: 'interval of the expired-block sweep (ms); 0 = lazy only',
    owner: SERVER,
  }),
  totpDigits: setting({
    name: 'OFFCODE_TOTP_DIGITS',
    kind: integer(6, 8),
    default: 8,
    meaning: 'proximity TOTP length (create and verify)',
    owner: SERVER,
  }),
  proximityMaxStepCount: setting({
    name: 'OFFCODE_PROXIMITY_MAX_STEP_COUNT',
    kind: integer(0, 10),
    default: 4,
    meaning: 'cap on a proximity check `stepCount`',
    owner: SERVER,
  }),
  payloadRegistry: setting<PayloadRegistryMode>({
    name: 'OFFCODE_PAYLOAD_REGISTRY',
    kind: oneOf(['off', 'record', 'enforce']),
    default: 'enforce',
    defaultText: '`enforce` (`off` with `OFFCODE_COMPAT_POWERAUTH=true`)',
    meaning: 'issued-payload registry (server.md §3.4)',
    owner: SERVER,
  }),
  payloadTtlS: setting({
    name: 'OFFCODE_PAYLOAD_TTL_S',
    kind: integer(10, 86_400),
    default: 300,
    meaning: 'lifetime of an issued payload (s)',
    owner: SERVER,
  }),
  payloadRetentionS: setting({
    name: 'OFFCODE_PAYLOAD_RETENTION_S',
    kind: integer(0, 2_592_000),
    default: 86_400,
    meaning: 'how long expired registry rows are kept (s)',
    owner: SERVER,
  }),
  maxDataBytes: setting({
    name: 'OFFCODE_MAX_DATA_BYTES',
    kind: integer(256, 2786),
    default: 2048,
    meaning:
      'payload `data` size; the largest payload (data + 167 B) stays within the 2953-byte QR/parser limit',
    owner: SERVER,
  }),
  compatPowerauth: setting({
    name: 'OFFCODE_COMPAT_POWERAUTH',
    kind: boolean,
    default: false,
    meaning: 'profile: registry `off`, create on any status; explicit variables still win',
    owner: SERVER,
  }),
  compatCreateAnyStatus: setting({
    name: 'OFFCODE_COMPAT_CREATE_ANY_STATUS',
    kind: boolean,
    default: false,
    defaultText: '`false` (`true` with `OFFCODE_COMPAT_POWERAUTH=true`)',
    meaning: 'payload create on non-ACTIVE activations',
    owner: SERVER,
  }),
  compatUnknownActivation: setting<'removed' | 'error'>({
    name: 'OFFCODE_COMPAT_UNKNOWN_ACTIVATION',
    kind: oneOf(['removed', 'error']),
    default: 'removed',
    meaning: 'verify answer for an unknown activation',
    owner: SERVER,
  }),
  cryptoBackend: setting<'auto' | 'wasm' | 'noble'>({
    name: 'OFFCODE_CRYPTO_BACKEND',
    kind: oneOf(['auto', 'wasm', 'noble']),
    default: 'auto',
    meaning:
      'engine of every hash, MAC, key derivation and code of the server; `auto` = wasm if WebAssembly loads',
    owner: SERVER,
  }),
  allowBidiControls: setting({
    name: 'OFFCODE_ALLOW_BIDI_CONTROLS',
    kind: boolean,
    default: false,
    meaning: '`true` → accept U+202A..U+202E, U+2066..U+2069 in payload `data` (server.md §1.2)',
    owner: SERVER,
  }),
  environment: setting({
    name: 'OFFCODE_ENVIRONMENT',
    kind: text(
      'text, at most 255 characters',
      'must be at most 255 characters without control characters',
      (v) => v.length <= 255 && !hasControlCharacter(v),
    ),
    default: '',
    meaning: '`applicationEnvironment` in the status answer',
    owner: SERVER,
  }),
});
