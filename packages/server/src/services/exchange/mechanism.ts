/**
 * The key-exchange seam (server.md §3.7): one mechanism per way a device obtains its activation keys. Each
 * decodes its own request, runs the shared steps of `provision.ts` in one transaction, and encodes its own
 * answer; a new mechanism plugs in beside the others without touching them.
 *
 * - `plain`: Offcode's plain exchange (`activation/exchange`, V3 and V4, JSON in and out).
 * - `powerauth-3.3`: PowerAuth 3.3 `activation/create` by activation code (two ECIES layers, V3 only,
 *   `enrollment/activation-create.ts`).
 */

export type KeyExchangeMechanismName = 'plain' | 'powerauth-3.3';

export interface KeyExchange<Request, Answer> {
  readonly mechanism: KeyExchangeMechanismName;
  /**
   * Runs one exchange: validates the request, provisions the activation its code names in one transaction,
   * and answers. Bad input and refusals throw an `OffcodeBaseError` subclass and write nothing (an expired
   * code is the one exception: it is marked REMOVED, as PowerAuth does).
   */
  exchange(request: Request): Promise<Answer>;
}
