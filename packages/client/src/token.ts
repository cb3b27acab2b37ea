/**
 * OffcodeToken: the mobile-token flows of client.md §3 over a pluggable store — a thin facade over the
 * flow modules (provisioning/, qr-check, approve, status, powerauth/, maintenance).
 *
 * Invariants: a code is only ever computed for a payload whose signature/MAC verified with this
 * activation's keys; the advanced counter is durably written BEFORE a code (or a signed request) leaves;
 * a counter value is never used twice (every read-modify-write runs inside `store.lock`); a wrong PIN
 * yields a wrong code, never a local error.
 */
import type { OffcodeCrypto } from '@offcode/crypto-wasm';
import { approve } from './approve.js';
import { TokenContext } from './context.js';
import { changePin, reset } from './maintenance.js';
import { removeActivation } from './powerauth/remove.js';
import { activate } from './provisioning/activate.js';
import { verifyPayload } from './qr-check.js';
import { type TokenStatus, zeroizeState } from './state.js';
import { status } from './status.js';
import type {
  ActivateInput,
  ApprovalResult,
  ApproveAuth,
  ApproveOptions,
  OffcodeTokenOptions,
  RemoveOptions,
  ScannedOperation,
  StatusOptions,
} from './types.js';

export class OffcodeToken {
  readonly #ctx: TokenContext;

  constructor(options: OffcodeTokenOptions) {
    this.#ctx = new TokenContext(options);
  }

  /** The crypto engine in use (`wasm` or `noble`). */
  get engine(): OffcodeCrypto {
    return this.#ctx.engine;
  }

  /** Enrols (§3.1): PowerAuth 3.3 keystore + activation/create, or the plain exchange. */
  activate(input: ActivateInput): Promise<TokenStatus> {
    return activate(this.#ctx, input);
  }

  /** Verifies a QR payload with this activation's keys (§3.2). */
  async scan(payload: string | Uint8Array): Promise<ScannedOperation> {
    const state = await this.#ctx.requireState();
    try {
      return verifyPayload(this.#ctx.suite, state, payload);
    } finally {
      zeroizeState(state);
    }
  }

  /** Computes the offline code of a verified payload; the next counter is durable first (§3.3). */
  approve(
    op: ScannedOperation | string | Uint8Array,
    auth: ApproveAuth,
    options: ApproveOptions = {},
  ): Promise<ApprovalResult> {
    return approve(this.#ctx, op, auth, options);
  }

  /** The local summary, or refreshed from the server with `remote` (§3.4). */
  status(options: StatusOptions = {}): Promise<TokenStatus> {
    return status(this.#ctx, options);
  }

  /**
   * Removes the activation on the server with a signed `/pa/v3/activation/remove` (PowerAuth-enrolled
   * tokens; PIN = possession + knowledge, biometry = possession + biometry), then deletes the local state.
   */
  remove(auth: ApproveAuth, options: RemoveOptions = {}): Promise<TokenStatus> {
    return removeActivation(this.#ctx, auth, options);
  }

  /**
   * Re-wraps the knowledge key under a new PIN with a fresh salt. A wrong old PIN cannot be detected
   * (crypto.md §10): it silently produces a token whose codes the server rejects. UIs must warn and ask
   * for the new PIN twice.
   */
  changePin(oldPin: string, newPin: string): Promise<void> {
    return changePin(this.#ctx, oldPin, newPin);
  }

  /** Deletes the local state (and the platform biometry key). The server-side activation is untouched. */
  reset(): Promise<void> {
    return reset(this.#ctx);
  }
}
