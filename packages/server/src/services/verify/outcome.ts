/** The protocol-neutral verify outcome and its two wire shapes (server.md §2.2). */
import type { OfflineFactorType } from '@offcode/crypto-wasm';
import type { ProtocolVersion } from '@offcode/protocol';
import {
  type ActivationRow,
  ActivationStatus,
  type ActivationStatusName,
  statusName,
} from '../../repo/rows.js';
import { iso } from '../activations.js';

export type SignatureTypeName = 'POSSESSION_KNOWLEDGE' | 'POSSESSION_BIOMETRY';

/** What happened, for metrics (`offcode_verify_total{outcome}`); not part of the wire response. */
export type VerifyResultKind = 'valid' | 'invalid' | 'inactive' | 'unknown_activation';

/** The protocol-neutral verify outcome; `verifyResponseFromOutcome` gives the wire shapes. */
export interface VerifyOutcome {
  /** Metrics only: valid, invalid (code did not match), inactive (not ACTIVE), unknown_activation. */
  result: VerifyResultKind;
  /** Metrics only: the matched window position k (0-based), or null. */
  matchedPosition: number | null;
  /** Metrics only: this verification blocked the activation (`temporary` when the block has an expiry). */
  blocked: { reason: string; temporary: boolean } | null;
  valid: boolean;
  activationStatus: ActivationStatusName;
  blockedReason: string | null;
  activationId: string;
  userId: string | null;
  applicationId: string | null;
  type: SignatureTypeName;
  remainingAttempts: number;
  applicationRoles: string[];
  activationFlags: string[];
  blockExpiresAt: string | null;
  protocolVersion: ProtocolVersion | null;
}

export interface VerifyV3Response {
  signatureValid: boolean;
  activationStatus: ActivationStatusName;
  blockedReason: string | null;
  activationId: string;
  userId: string | null;
  applicationId: string | null;
  signatureType: SignatureTypeName;
  remainingAttempts: number;
  applicationRoles: string[];
  activationFlags: string[];
  blockExpiresAt: string | null;
  protocolVersion: ProtocolVersion | null;
}

export interface VerifyV4Response extends Omit<VerifyV3Response, 'signatureValid' | 'signatureType'> {
  authenticationValid: boolean;
  authenticationCodeType: SignatureTypeName;
}

export type VerifyResponse<V extends ProtocolVersion> = V extends 3 ? VerifyV3Response : VerifyV4Response;

/** The wire response of `/rest/v3/signature/offline/verify` (V3) or `/rest/v4/auth/offline/verify` (V4). */
export function verifyResponseFromOutcome<V extends ProtocolVersion>(
  version: V,
  o: VerifyOutcome,
): VerifyResponse<V> {
  return toWire(version, o) as VerifyResponse<V>;
}

function toWire(version: ProtocolVersion, o: VerifyOutcome): VerifyV3Response | VerifyV4Response {
  const common = {
    activationStatus: o.activationStatus,
    blockedReason: o.blockedReason,
    activationId: o.activationId,
    userId: o.userId,
    applicationId: o.applicationId,
    remainingAttempts: o.remainingAttempts,
    applicationRoles: o.applicationRoles,
    activationFlags: o.activationFlags,
    blockExpiresAt: o.blockExpiresAt,
    protocolVersion: o.protocolVersion,
  };
  return version === 3
    ? { signatureValid: o.valid, ...common, signatureType: o.type }
    : { authenticationValid: o.valid, ...common, authenticationCodeType: o.type };
}

/** The audit notes of the two verify APIs (V3 "signature", V4 "authentication code"). */
export const AUDIT_NOTES: Readonly<Record<ProtocolVersion, { match: string; mismatch: string }>> = {
  3: { match: 'signature_ok', mismatch: 'signature_does_not_match' },
  4: { match: 'authentication_ok', mismatch: 'authentication_code_does_not_match' },
};

export const TYPE_NAMES: Readonly<Record<OfflineFactorType, SignatureTypeName>> = {
  possession_knowledge: 'POSSESSION_KNOWLEDGE',
  possession_biometry: 'POSSESSION_BIOMETRY',
};

/** The outcome for an existing activation, from the row as it is after this verification. */
export function outcome(
  row: ActivationRow,
  valid: boolean,
  type: SignatureTypeName,
  extra: { result: VerifyResultKind; matchedPosition?: number; blockedNow?: boolean },
): VerifyOutcome {
  const active = row.status === ActivationStatus.ACTIVE;
  return {
    result: extra.result,
    matchedPosition: extra.matchedPosition ?? null,
    blocked:
      extra.blockedNow && row.status === ActivationStatus.BLOCKED
        ? { reason: row.blockedReason ?? '', temporary: row.blockExpiresAt !== null }
        : null,
    valid,
    activationStatus: statusName(row.status),
    blockedReason: row.status === ActivationStatus.BLOCKED ? row.blockedReason : null,
    activationId: row.activationId,
    userId: row.userId,
    applicationId: row.applicationName,
    type,
    remainingAttempts: active ? Math.max(0, row.maxFailedAttempts - row.failedAttempts) : 0,
    applicationRoles: row.applicationRoles,
    activationFlags: row.flags,
    blockExpiresAt: iso(row.blockExpiresAt),
    protocolVersion: row.protocolVersion,
  };
}

/** The PA answer for an activation id that does not exist (REMOVED, nothing written). */
export function unknownOutcome(activationId: string): VerifyOutcome {
  return {
    result: 'unknown_activation',
    matchedPosition: null,
    blocked: null,
    valid: false,
    activationStatus: 'REMOVED',
    blockedReason: null,
    activationId,
    userId: null,
    applicationId: null,
    type: 'POSSESSION_KNOWLEDGE',
    remainingAttempts: 0,
    applicationRoles: [],
    activationFlags: [],
    blockExpiresAt: null,
    protocolVersion: null,
  };
}
