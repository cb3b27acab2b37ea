/**
 * @offcode/errors: the one base class of every error an Offcode package throws, so an application handles
 * them all the same way: `code` (stable, machine-readable), `field` (the offending input, or null), `kind`
 * (whose fault and what to do) and `cause`. HTTP statuses are not part of it: they belong to the HTTP layer.
 */

/**
 * - `input`: the caller's input is malformed (fix the request).
 * - `rejected`: well-formed but refused by state or business rules (PowerAuth answers these with 400 too).
 * - `unavailable`: a resource is busy or down; retrying later may succeed.
 * - `internal`: a fault of Offcode or of its configuration, not of the caller.
 */
export type OffcodeErrorKind = 'input' | 'rejected' | 'unavailable' | 'internal';

export const OFFCODE_ERROR_KINDS: readonly OffcodeErrorKind[] = Object.freeze([
  'input',
  'rejected',
  'unavailable',
  'internal',
]);

export interface OffcodeBaseErrorOptions {
  /** The offending input field (a request field, an argument name, an environment variable), or null. */
  field?: string | null;
  /** The lower-level error this one explains. */
  cause?: unknown;
}

// Marks instances across realms and duplicated copies (a bundle that inlined its own copy still answers).
const BRAND = Symbol.for('@offcode/errors.OffcodeBaseError');

export class OffcodeBaseError extends Error {
  override readonly name: string = 'OffcodeBaseError';
  readonly code: string;
  readonly field: string | null;
  readonly kind: OffcodeErrorKind;
  override readonly cause: unknown;

  constructor(kind: OffcodeErrorKind, code: string, message: string, options: OffcodeBaseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!OFFCODE_ERROR_KINDS.includes(kind)) throw new TypeError(`unknown error kind ${String(kind)}`);
    this.kind = kind;
    this.code = code;
    this.field = options.field ?? null;
    this.cause = options.cause;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for every error of an Offcode package (whatever copy of this module created it). */
export function isOffcodeError(error: unknown): error is OffcodeBaseError {
  return (
    error instanceof OffcodeBaseError ||
    (typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true)
  );
}
