/**
 * A verify request, read once (server.md §3.5 step 1): the schema parses `data` into `VerifyData` and the code
 * shape is decided once by `parseSubmittedCode`; everything downstream reads this `VerifyInput`.
 */
import {
  normalizeTypedCode,
  PayloadFormatError,
  type ProtocolVersion,
  parseSubmittedCode,
  type VerifyData,
} from '@offcode/protocol';
import { OffcodeError } from '../../errors.js';
import { parseRequest } from '../../schema/core.js';
import type { RequestSchemas, VerifyV3Request } from '../../schema/requests.js';

/** Offline codes always have two factors after possession: knowledge or biometry (crypto.md 3.1). */
export const OFFLINE_FACTOR_COUNT = 2;

export interface VerifyInput {
  activationId: string;
  /** The normalized data, parsed by the request schema. */
  data: VerifyData;
  componentLength: number;
  allowBiometry: boolean;
  proximityCheck: { seed: Uint8Array; stepLength: number; stepCount: number } | undefined;
  /**
   * The code as submitted (audited as a keyed digest) and its digits per factor when it has this request's
   * shape; `null` components mean a well-formed code of another shape: it never matches (a failed attempt).
   */
  code: { text: string; components: readonly string[] | null };
}

type VerifyFields = Omit<VerifyV3Request, 'signature'>;

function toInput(r: VerifyFields, code: string): VerifyInput {
  const submitted = parseSubmittedCode(code, {
    componentLength: r.componentLength,
    factorCount: OFFLINE_FACTOR_COUNT,
  });
  return {
    activationId: r.activationId,
    data: r.data,
    componentLength: r.componentLength,
    allowBiometry: r.allowBiometry ?? r.biometryAllowed ?? false,
    proximityCheck: r.proximityCheck,
    code: { text: code, components: submitted.ok ? submitted.components : null },
  };
}

/** The REST verify request of `version` (`signature` in V3, `authenticationCode` in V4, PowerAuth's format). */
export function readVerifyRequest(
  schemas: RequestSchemas,
  version: ProtocolVersion,
  request: unknown,
): VerifyInput {
  if (version === 3) {
    const r = parseRequest(schemas.verifyV3, request);
    return toInput(r, r.signature);
  }
  const r = parseRequest(schemas.verifyV4, request);
  return toInput(r, r.authenticationCode);
}

/** The message a user sees for a typed code that is not a code (it never quotes what was typed). */
function typedCodeMessage(error: PayloadFormatError): string {
  if (error.reason === 'CODE_INVALID_CHARACTER')
    return `enter digits only (position ${error.position} is not a digit)`;
  return error.message; // "enter the code", "enter 16 digits"
}

/**
 * The `verifyTyped` request: `typedCode` as the user typed it, normalised for `componentLength` (default
 * OFFCODE_COMPONENT_LENGTH, the value every exchange answers) and two factors. A typed text that is not such
 * a code is ERR0024 on `typedCode` with the user message, before any storage access: no attempt, no audit.
 */
export function readTypedVerifyRequest(schemas: RequestSchemas, request: unknown): VerifyInput {
  const r = parseRequest(schemas.verifyTyped, request);
  let code: string;
  try {
    code = normalizeTypedCode(r.typedCode, {
      componentLength: r.componentLength,
      factorCount: OFFLINE_FACTOR_COUNT,
    });
  } catch (error) {
    if (error instanceof PayloadFormatError)
      throw OffcodeError.invalidField('typedCode', typedCodeMessage(error));
    throw error;
  }
  return toInput(r, code);
}
