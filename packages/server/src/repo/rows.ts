/**
 * Row types and mappers. Drivers differ in how they return bigint (string in `pg`, number in PGlite) and
 * bytea (Buffer vs Uint8Array): everything is normalised here, once.
 */

import type { ProtocolVersion } from '@offcode/protocol';
export const ActivationStatus = {
  CREATED: 1,
  PENDING_COMMIT: 2,
  ACTIVE: 3,
  BLOCKED: 4,
  REMOVED: 5,
} as const;
export type ActivationStatusName = keyof typeof ActivationStatus;
export type ActivationStatusCode = (typeof ActivationStatus)[ActivationStatusName];

const STATUS_NAMES: Record<number, ActivationStatusName> = {
  1: 'CREATED',
  2: 'PENDING_COMMIT',
  3: 'ACTIVE',
  4: 'BLOCKED',
  5: 'REMOVED',
};

export function statusName(code: number): ActivationStatusName {
  const name = STATUS_NAMES[code];
  if (!name) throw new Error(`unknown activation status ${code}`);
  return name;
}

export const toNum = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
export const toNumOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : toNum(v));
export const toBytes = (v: unknown): Uint8Array | null =>
  v === null || v === undefined ? null : v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBufferLike);
export const toDate = (v: unknown): Date | null =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(v as string);
const toStrings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export interface ApplicationRow {
  id: number;
  name: string;
  roles: string[];
  commitOnKeyExchange: boolean;
  createdAt: Date;
}

export function mapApplication(r: Record<string, unknown>): ApplicationRow {
  return {
    id: toNum(r.id),
    name: String(r.name),
    roles: toStrings(r.roles),
    commitOnKeyExchange: Boolean(r.commit_on_key_exchange),
    createdAt: toDate(r.created_at)!,
  };
}

export interface ApplicationVersionRow {
  id: number;
  applicationId: number;
  name: string;
  applicationKey: string;
  applicationSecret: string;
  supported: boolean;
}

export function mapVersion(r: Record<string, unknown>): ApplicationVersionRow {
  return {
    id: toNum(r.id),
    applicationId: toNum(r.application_id),
    name: String(r.name),
    applicationKey: String(r.application_key),
    applicationSecret: String(r.application_secret),
    supported: Boolean(r.supported),
  };
}

export type MasterKeyAlgorithm = 'EC_P256' | 'EC_P384';

export interface MasterKeyPairRow {
  id: number;
  applicationId: number;
  algorithm: MasterKeyAlgorithm;
  privateKey: Uint8Array;
  privateKeyEncryption: number;
  publicKey: Uint8Array;
}

export function mapMasterKey(r: Record<string, unknown>): MasterKeyPairRow {
  return {
    id: toNum(r.id),
    applicationId: toNum(r.application_id),
    algorithm: r.algorithm as MasterKeyAlgorithm,
    privateKey: toBytes(r.private_key)!,
    privateKeyEncryption: toNum(r.private_key_encryption),
    publicKey: toBytes(r.public_key)!,
  };
}

export interface ActivationRow {
  activationId: string;
  applicationId: number;
  /** Joined from oc_application. */
  applicationName: string;
  applicationRoles: string[];
  userId: string;
  activationCode: string | null;
  activationSignatureP256: string | null;
  activationSignatureP384: string | null;
  status: ActivationStatusCode;
  blockedReason: string | null;
  commitPhase: 'ON_COMMIT' | 'ON_KEY_EXCHANGE';
  protocolVersion: ProtocolVersion | null;
  activationName: string | null;
  flags: string[];
  devicePublicKey: Uint8Array | null;
  serverPublicKey: Uint8Array | null;
  serverPrivateKey: Uint8Array | null;
  activationSecret: Uint8Array | null;
  keyEncryption: number;
  biometryEnabled: boolean;
  counter: number;
  ctrData: Uint8Array | null;
  failedAttempts: number;
  maxFailedAttempts: number;
  temporaryBlockCount: number;
  blockExpiresAt: Date | null;
  timestampCreated: Date;
  timestampActivationExpire: Date;
  timestampLastUsed: Date | null;
  timestampLastChange: Date | null;
}

export function mapActivation(r: Record<string, unknown>): ActivationRow {
  return {
    activationId: String(r.activation_id),
    applicationId: toNum(r.application_id),
    applicationName: String(r.app_name),
    applicationRoles: toStrings(r.app_roles),
    userId: String(r.user_id),
    activationCode: (r.activation_code as string | null) ?? null,
    activationSignatureP256: (r.activation_signature_p256 as string | null) ?? null,
    activationSignatureP384: (r.activation_signature_p384 as string | null) ?? null,
    status: toNum(r.activation_status) as ActivationStatusCode,
    blockedReason: (r.blocked_reason as string | null) ?? null,
    commitPhase: r.commit_phase as ActivationRow['commitPhase'],
    protocolVersion: toNumOrNull(r.protocol_version) as ProtocolVersion | null,
    activationName: (r.activation_name as string | null) ?? null,
    flags: toStrings(r.flags),
    devicePublicKey: toBytes(r.device_public_key),
    serverPublicKey: toBytes(r.server_public_key),
    serverPrivateKey: toBytes(r.server_private_key),
    activationSecret: toBytes(r.activation_secret),
    keyEncryption: toNum(r.key_encryption),
    biometryEnabled: Boolean(r.biometry_enabled),
    counter: toNum(r.counter),
    ctrData: toBytes(r.ctr_data),
    failedAttempts: toNum(r.failed_attempts),
    maxFailedAttempts: toNum(r.max_failed_attempts),
    temporaryBlockCount: toNum(r.temporary_block_count),
    blockExpiresAt: toDate(r.block_expires_at),
    timestampCreated: toDate(r.timestamp_created)!,
    timestampActivationExpire: toDate(r.timestamp_activation_expire)!,
    timestampLastUsed: toDate(r.timestamp_last_used),
    timestampLastChange: toDate(r.timestamp_last_change),
  };
}

export interface OfflinePayloadRow {
  id: number;
  nonce: string;
  applicationId: number;
  activationId: string | null;
  protocolVersion: number;
  keyType: string;
  dataSha256: Uint8Array;
  bodySha256: Uint8Array | null;
  proximity: boolean;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

export function mapPayload(r: Record<string, unknown>): OfflinePayloadRow {
  return {
    id: toNum(r.id),
    nonce: String(r.nonce),
    applicationId: toNum(r.application_id),
    activationId: (r.activation_id as string | null) ?? null,
    protocolVersion: toNum(r.protocol_version),
    keyType: String(r.key_type),
    dataSha256: toBytes(r.data_sha256)!,
    bodySha256: toBytes(r.body_sha256),
    proximity: Boolean(r.proximity),
    createdAt: toDate(r.created_at)!,
    expiresAt: toDate(r.expires_at)!,
    consumedAt: toDate(r.consumed_at),
  };
}
