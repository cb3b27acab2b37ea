/**
 * The optional phase timer of a verification (issue 13 item 3, server.md §3.5 "Phase timings"): when
 * something subscribes to the `offcode:verify:phases` diagnostics channel, each completed verification
 * publishes how long its phases took; without a subscriber no clock is read (one `hasSubscribers` check per
 * verification). Only durations and the outcome kind are published — never a code, key or request field.
 */
import { channel } from 'node:diagnostics_channel';
import type { VerifyResultKind } from './outcome.js';

/** The diagnostics channel name (`diagnostics_channel.subscribe(VERIFY_PHASES_CHANNEL, fn)`). */
export const VERIFY_PHASES_CHANNEL = 'offcode:verify:phases';

/**
 * The phases in order: `parse` (schema, code shape, audit digest), `lock` (BEGIN, the row locks, state and
 * registry checks), `keys` (unseal the stored key, ECDH/KDF), `search` (data candidates, the engine call),
 * `writes` (the counter/attempt update, audit row, registry consumption), `commit` (COMMIT until it returned).
 */
export const VERIFY_PHASES = ['parse', 'lock', 'keys', 'search', 'writes', 'commit'] as const;
export type VerifyPhase = (typeof VERIFY_PHASES)[number];

/** One message on the channel: milliseconds per phase (0 for a phase this verification did not run). */
export interface VerifyPhaseTimes extends Record<VerifyPhase, number> {
  protocolVersion: 3 | 4;
  result: VerifyResultKind;
  /** From the service entry to the outcome (the sum of the phases). */
  total: number;
}

const phasesChannel = channel(VERIFY_PHASES_CHANNEL);

/** Marks the end of each phase; created only while the channel has subscribers. */
export class PhaseClock {
  readonly #start = performance.now();
  #last = this.#start;
  readonly #times: Record<VerifyPhase, number> = {
    parse: 0,
    lock: 0,
    keys: 0,
    search: 0,
    writes: 0,
    commit: 0,
  };

  /** The time since the previous mark (or the start) is added to `phase`. */
  mark(phase: VerifyPhase): void {
    const t = performance.now();
    this.#times[phase] += t - this.#last;
    this.#last = t;
  }

  publish(protocolVersion: 3 | 4, result: VerifyResultKind): void {
    const message: VerifyPhaseTimes = {
      ...this.#times,
      protocolVersion,
      result,
      total: this.#last - this.#start,
    };
    phasesChannel.publish(message);
  }
}

/** A clock for one verification, or null (no cost beyond this check) when nobody listens. */
export function startPhaseClock(): PhaseClock | null {
  return phasesChannel.hasSubscribers ? new PhaseClock() : null;
}
