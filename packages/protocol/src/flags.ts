/** Payload flags, line 4 (payload.md 4). */

export interface PayloadFlags {
  /** `B`: possession + biometry may approve; the verifier must pass the same `allowBiometry`. */
  biometricsAllowed: boolean;
  /** `X`: swap the approve and reject buttons (attention check). */
  flipButtons: boolean;
  /** `F`: the issuer suspects fraud; warn before approval. */
  fraudWarning: boolean;
  /** `C`: refuse approval during an active phone call (mobile apps). */
  blockWhenOnCall: boolean;
}

/**
 * Membership tests on the flags line: order and duplicates are irrelevant, every other character (lower
 * case included) is ignored, so a future flag never breaks an older token.
 */
export function parseFlags(line: string): PayloadFlags {
  return Object.freeze({
    biometricsAllowed: line.includes('B'),
    flipButtons: line.includes('X'),
    fraudWarning: line.includes('F'),
    blockWhenOnCall: line.includes('C'),
  });
}

/** The flags line: the set letters in the order B, C, F, X (empty when none is set). */
export function buildFlags(flags: Partial<PayloadFlags> = {}): string {
  const f = flags ?? {};
  return (
    (f.biometricsAllowed === true ? 'B' : '') +
    (f.blockWhenOnCall === true ? 'C' : '') +
    (f.fraudWarning === true ? 'F' : '') +
    (f.flipButtons === true ? 'X' : '')
  );
}
