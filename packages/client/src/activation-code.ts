/**
 * Activation codes (server.md §2.4): the format and its CRC-16/ARC check live in @offcode/protocol. The
 * token checks them before any network call, so a typo never costs a server round trip; these wrappers keep
 * the client's contract that OffcodeClientError is the only error it throws.
 */
import { encodeActivationCode as encode, ProtocolError, parseActivationCodeOrThrow } from '@offcode/protocol';
import { OffcodeClientError } from './errors.js';

function asInvalidInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ProtocolError) throw new OffcodeClientError('INVALID_INPUT', e.message, { cause: e });
    throw e;
  }
}

/** Upper-cases and validates an activation code; returns the canonical form or throws INVALID_INPUT. */
export function normalizeActivationCode(code: unknown): string {
  return asInvalidInput(() => parseActivationCodeOrThrow(code, 'activationCode'));
}

/** Builds a valid code from 10 bytes (tests and simulators); other lengths throw INVALID_INPUT. */
export function encodeActivationCode(random10: Uint8Array): string {
  return asInvalidInput(() => encode(random10));
}
