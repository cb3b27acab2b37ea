/**
 * The offline services of a server, counted in the `offcode_*` series of a metrics registry (server.md
 * §2.6): for an application's own in-process callers (apps/api's demo), so that their verifications,
 * payloads and blocks show in the same series as the REST methods'. Everything else is the server itself.
 */
import type { OffcodeServer } from '@offcode/server';
import { verifyResponseFromOutcome } from '@offcode/server/internal';
import type { OffcodeMetrics } from './metrics.js';

type Version = 3 | 4;

const hasProximity = (request: unknown): boolean =>
  typeof request === 'object' && request !== null && 'proximityCheck' in request;

/** `server` with `offline.*` counting into `metrics`; the same services, nothing cached. */
export function withOfflineMetrics(server: OffcodeServer, metrics: OffcodeMetrics): OffcodeServer {
  const offline = server.offline;
  async function counted<T extends Parameters<OffcodeMetrics['countVerify']>[1]>(
    version: Version,
    run: () => Promise<T>,
  ): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      const outcome = await run();
      metrics.countVerify(version, outcome);
      return outcome;
    } catch (error) {
      metrics.countVerifyFailure(version, error);
      throw error;
    } finally {
      metrics.verifyDuration.observe(
        { protocol: String(version) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  }
  const wrapped: OffcodeServer['offline'] = {
    createPersonalized: async (version, request) => {
      const result = await offline.createPersonalized(version, request);
      metrics.countPayload(version as Version, 'personalized', hasProximity(request));
      return result;
    },
    createNonPersonalized: async (version, request) => {
      const result = await offline.createNonPersonalized(version, request);
      metrics.countPayload(version as Version, 'non-personalized', hasProximity(request));
      return result;
    },
    verifyOutcome: (version, request) =>
      counted(version as Version, () => offline.verifyOutcome(version, request)),
    verifyTyped: (version, request) =>
      counted(version as Version, () => offline.verifyTyped(version, request)),
    // The wire answer is derived from the outcome exactly as the service does, so the outcome is counted.
    verify: (async (version: Version, request: unknown) =>
      verifyResponseFromOutcome(
        version,
        await counted(version, () => offline.verifyOutcome(version, request)),
      )) as OffcodeServer['offline']['verify'],
  };
  return { ...server, offline: wrapped };
}
