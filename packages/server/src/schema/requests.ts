/**
 * Request schemas of every service method (server.md §2), built from the configuration because some limits
 * are configurable (data size, stepCount cap, default component length, registry mode). apps/api validates
 * `requestObject` with the same schemas (`parseRequest`) and generates OpenAPI from `schema.json()`.
 */
import { ProtocolError, parseVerifyData, type VerifyData } from '@offcode/protocol';
import type { OffcodeConfig } from '../config.js';
import { addIssue, type Infer, object, optional, type ParseContext, required, withDefault } from './core.js';
import {
  activationCode,
  arrayOf,
  base64Bytes,
  bool,
  code,
  customString,
  dateTime,
  enumOf,
  int,
  name,
  nonce,
  payloadData,
  protocolVersion,
  typedCode,
  uuid,
} from './fields.js';

export const COMMIT_PHASES = ['ON_COMMIT', 'ON_KEY_EXCHANGE'] as const;
export type CommitPhase = (typeof COMMIT_PHASES)[number];

/** Limits a schema set depends on. */
export type SchemaConfig = Pick<
  OffcodeConfig,
  'maxDataBytes' | 'proximityMaxStepCount' | 'componentLength' | 'payloadRegistry' | 'maxFailedAttempts'
>;

/** Largest accepted device public key (uncompressed P-384 is 97 bytes; longer is refused as ERR0024). */
const MAX_PUBLIC_KEY_BYTES = 133;
const MAX_FLAGS = 32;
const MAX_ROLES = 64;

/**
 * Normalized data of the verify methods (server.md §1.2), parsed once here: the registry body hash, the audit
 * data and the TOTP candidates all read this one `VerifyData` (its `text` is the field as received).
 */
function verifyData(cfg: SchemaConfig) {
  const maxLength = 2 * cfg.maxDataBytes;
  return customString<VerifyData>(
    {
      type: 'string',
      maxLength,
      description: 'METHOD&URI_B64&NONCE_B64&BODY_B64 without "&offline" and without the TOTP',
    },
    (s) => {
      if (s.length > maxLength) return { reason: `must be at most ${maxLength} bytes` };
      try {
        return parseVerifyData(s, { nonceLength16: cfg.payloadRegistry === 'enforce' });
      } catch (error) {
        if (error instanceof ProtocolError) {
          return {
            reason: `must be normalized data METHOD&URI&NONCE&BODY (${error.message.replace(/^data: /, '')})`,
          };
        }
        throw error;
      }
    },
  );
}

const proximityCreate = () =>
  object({
    seed: required(base64Bytes(1, 64), 'TOTP key, Base64 of 1..64 bytes'),
    stepLength: required(int(1, 3600), 'TOTP step in seconds'),
  });

const proximityVerify = (cfg: SchemaConfig) =>
  object({
    seed: required(base64Bytes(1, 64), 'TOTP key, Base64 of 1..64 bytes'),
    stepLength: required(int(1, 3600), 'TOTP step in seconds'),
    stepCount: withDefault(
      int(0, cfg.proximityMaxStepCount),
      0,
      'past steps accepted besides the current one',
    ),
  });

const verifyFields = (cfg: SchemaConfig) => ({
  activationId: required(uuid()),
  data: required(verifyData(cfg)),
  componentLength: withDefault(int(4, 8), cfg.componentLength, 'digits per code group'),
  allowBiometry: optional(bool(), { description: 'also accept POSSESSION_BIOMETRY' }),
  biometryAllowed: optional(bool(), { description: 'alias of allowBiometry' }),
  proximityCheck: optional(proximityVerify(cfg)),
});

/** Longest accepted typed code: far above any spelling of 3 x 8 digits with separators and whitespace. */
const MAX_TYPED_CODE_LENGTH = 256;

/** `allowBiometry` and its alias `biometryAllowed` must agree when both are given. */
function checkBiometryAlias(
  value: { allowBiometry?: boolean | undefined; biometryAllowed?: boolean | undefined },
  _raw: unknown,
  _path: string,
  ctx: ParseContext,
): void {
  if (
    value.allowBiometry !== undefined &&
    value.biometryAllowed !== undefined &&
    value.allowBiometry !== value.biometryAllowed
  ) {
    addIssue(ctx, 'biometryAllowed', 'must equal allowBiometry when both are given');
  }
}

/** All request schemas for one configuration. */
export function requestSchemas(cfg: SchemaConfig) {
  return {
    applicationCreate: object({
      applicationId: required(name(), 'application name'),
      applicationRoles: withDefault(arrayOf(name(), MAX_ROLES), [] as string[]),
      commitOnKeyExchange: withDefault(bool(), false),
    }),
    applicationDetail: object({ applicationId: required(name()) }),
    applicationList: object({}),
    applicationVersionCreate: object({
      applicationId: required(name()),
      applicationVersionId: required(name()),
    }),
    activationInit: object(
      {
        userId: required(name()),
        applicationId: required(name()),
        maxFailureCount: optional(int(1, 64)),
        timestampActivationExpire: optional(dateTime()),
        commitPhase: optional(enumOf(COMMIT_PHASES)),
        flags: optional(arrayOf(name(), MAX_FLAGS)),
        protocol: optional(enumOf(['powerauth'] as const)),
      },
      { forbidden: ['activationOtp'] },
    ),
    activationExchange: object({
      activationCode: required(activationCode()),
      protocolVersion: required(protocolVersion()),
      devicePublicKey: required(base64Bytes(1, MAX_PUBLIC_KEY_BYTES), 'SEC1 point, Base64'),
      applicationId: optional(name()),
      applicationKey: optional(name()),
      activationName: optional(name()),
      enableBiometry: withDefault(bool(), true),
    }),
    activationCommit: object({ activationId: required(uuid()), externalUserId: optional(name()) }),
    activationStatus: object({ activationId: required(uuid()) }),
    activationBlock: object({
      activationId: required(uuid()),
      reason: withDefault(name(), 'NOT_SPECIFIED'),
      externalUserId: optional(name()),
    }),
    activationUnblock: object({ activationId: required(uuid()), externalUserId: optional(name()) }),
    activationRemove: object({ activationId: required(uuid()), externalUserId: optional(name()) }),
    personalizedCreate: object({
      activationId: required(uuid()),
      data: required(
        payloadData(cfg.maxDataBytes),
        'OPERATION_ID\\nTITLE\\nMESSAGE\\nOPERATION_DATA\\nFLAGS',
      ),
      nonce: optional(nonce(), { blankIsAbsent: true, description: 'absent or blank → 16 random bytes' }),
      proximityCheck: optional(proximityCreate()),
    }),
    nonPersonalizedCreate: object(
      {
        applicationId: required(name()),
        data: required(payloadData(cfg.maxDataBytes)),
      },
      { forbidden: ['nonce', 'proximityCheck'] },
    ),
    verifyV3: object(
      { ...verifyFields(cfg), signature: required(code(), 'the typed code, e.g. 12345678-12345678') },
      { refine: checkBiometryAlias },
    ),
    verifyV4: object(
      {
        ...verifyFields(cfg),
        authenticationCode: required(code(), 'the typed code, e.g. 12345678-12345678'),
      },
      { refine: checkBiometryAlias },
    ),
    /** `offline.verifyTyped`: the code as the user typed it (normalised for `componentLength`, 2 factors). */
    verifyTyped: object(
      {
        ...verifyFields(cfg),
        typedCode: required(
          typedCode(MAX_TYPED_CODE_LENGTH),
          'the code as typed, e.g. "8064 5777 7477 9172" or "80645777-74779172"',
        ),
      },
      { refine: checkBiometryAlias },
    ),
    auditList: object(
      {
        userId: optional(name()),
        activationId: optional(uuid()),
        applicationId: optional(name()),
        timestampFrom: optional(dateTime()),
        timestampTo: optional(dateTime()),
        limit: withDefault(int(1, 1000), 100),
        beforeId: optional(int(1, Number.MAX_SAFE_INTEGER)),
      },
      {
        refine(value, _raw, _path, ctx) {
          if (value.userId === undefined && value.activationId === undefined) {
            addIssue(ctx, 'userId', 'userId or activationId is required');
          }
        },
      },
    ),
    status: object({}),
    errorList: object({ language: optional(name()) }),
  };
}

export type RequestSchemas = ReturnType<typeof requestSchemas>;
export type ApplicationCreateRequest = Infer<RequestSchemas['applicationCreate']>;
export type ApplicationDetailRequest = Infer<RequestSchemas['applicationDetail']>;
export type ApplicationVersionCreateRequest = Infer<RequestSchemas['applicationVersionCreate']>;
export type ActivationInitRequest = Infer<RequestSchemas['activationInit']>;
export type ActivationExchangeRequest = Infer<RequestSchemas['activationExchange']>;
export type ActivationCommitRequest = Infer<RequestSchemas['activationCommit']>;
export type ActivationStatusRequest = Infer<RequestSchemas['activationStatus']>;
export type ActivationBlockRequest = Infer<RequestSchemas['activationBlock']>;
export type ActivationUnblockRequest = Infer<RequestSchemas['activationUnblock']>;
export type ActivationRemoveRequest = Infer<RequestSchemas['activationRemove']>;
export type PersonalizedCreateRequest = Infer<RequestSchemas['personalizedCreate']>;
export type NonPersonalizedCreateRequest = Infer<RequestSchemas['nonPersonalizedCreate']>;
export type VerifyV3Request = Infer<RequestSchemas['verifyV3']>;
export type VerifyV4Request = Infer<RequestSchemas['verifyV4']>;
export type VerifyTypedRequest = Infer<RequestSchemas['verifyTyped']>;
export type AuditListRequest = Infer<RequestSchemas['auditList']>;
