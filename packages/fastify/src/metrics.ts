/**
 * The Prometheus registry of server.md §2.6 on prom-client: the `offcode_*` series, the database pool gauges
 * and prom-client's default process and runtime metrics, one registry per instance (never prom-client's
 * global one, so two instances in one process do not collide). Label values are route templates and enums
 * only, never ids. Per request nothing but counter and histogram updates happens here; pool numbers are read
 * when `/metrics` is scraped.
 */
import type { OffcodeServer, StorageStats } from '@offcode/server';
import { OffcodeError } from '@offcode/server';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface CreateMetricsOptions {
  /** prom-client's default process and Node.js runtime metrics (default true). */
  defaultMetrics?: boolean;
}

/** The outcome fields of `server.offline.verifyOutcome` / `verifyTyped` the counters read. */
interface CountedOutcome {
  result: string;
  matchedPosition: number | null;
  blocked: { reason: string; temporary: boolean } | null;
}

function offcodeSeries(registers: Registry[]) {
  return {
    verifyTotal: new Counter({
      name: 'offcode_verify_total',
      help: 'Offline verifications by protocol and outcome.',
      labelNames: ['protocol', 'outcome'] as const,
      registers,
    }),
    payloadCreatedTotal: new Counter({
      name: 'offcode_payload_created_total',
      help: 'Offline payloads created.',
      labelNames: ['protocol', 'kind', 'proximity'] as const,
      registers,
    }),
    activationBlockedTotal: new Counter({
      name: 'offcode_activation_blocked_total',
      help: 'Activations blocked by verification.',
      labelNames: ['reason', 'temporary'] as const,
      registers,
    }),
    dbBusyTotal: new Counter({
      name: 'offcode_db_busy_total',
      help: 'Requests answered OFF-0201 (database busy or unreachable).',
      registers,
    }),
    httpRequestsTotal: new Counter({
      name: 'offcode_http_requests_total',
      help: 'HTTP requests.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    verifyDuration: new Histogram({
      name: 'offcode_verify_duration_seconds',
      help: 'Duration of offline verifications.',
      buckets: DURATION_BUCKETS,
      labelNames: ['protocol'] as const,
      registers,
    }),
    verifyWindowPosition: new Histogram({
      name: 'offcode_verify_window_position',
      help: 'Counter-window position k of accepted codes.',
      buckets: [0, 1, 2, 5, 10, 20, 64],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'offcode_http_request_duration_seconds',
      help: 'HTTP request duration.',
      buckets: DURATION_BUCKETS,
      labelNames: ['route'] as const,
      registers,
    }),
    buildInfo: new Gauge({
      name: 'offcode_build_info',
      help: 'Build information (always 1).',
      labelNames: ['version', 'crypto_backend', 'database'] as const,
      registers,
    }),
  };
}

/**
 * The pool gauges, read from `source` at scrape time (PostgreSQL: the `pg` pool; PGlite: its one connection,
 * max 1). Without a source they stay 0.
 */
function poolGauges(registers: Registry[], source: { current: (() => StorageStats | null) | null }) {
  const gauge = (name: string, help: string, pick: (s: StorageStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const stats = source.current?.();
        this.set(stats ? pick(stats) : 0);
      },
    });
  return {
    dbPoolMax: gauge('offcode_db_pool_max', 'Most database connections (1 for PGlite).', (s) => s.max),
    dbPoolTotal: gauge('offcode_db_pool_connections', 'Open database connections.', (s) => s.total),
    dbPoolIdle: gauge(
      'offcode_db_pool_idle_connections',
      'Open database connections not in use.',
      (s) => s.idle,
    ),
    dbPoolWaiting: gauge(
      'offcode_db_pool_waiting',
      'Callers waiting for a database connection.',
      (s) => s.waiting,
    ),
  };
}

/** Every metric of server.md §2.6, in a registry of its own. */
export function createMetrics(options: CreateMetricsOptions = {}) {
  const registry = new Registry();
  const registers = [registry];
  const series = offcodeSeries(registers);
  const source: { current: (() => StorageStats | null) | null } = { current: null };
  const pool = poolGauges(registers, source);
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const started = new WeakMap<object, bigint>();
  const finished = new WeakSet<object>();
  return {
    ...series,
    ...pool,
    registry,
    /** `Content-Type` of `render()` (Prometheus text format 0.0.4). */
    contentType: registry.contentType,
    /** The pool gauges read this server's storage from now on (the plugin calls it at registration). */
    watchServer(server: Pick<OffcodeServer, 'system'>): void {
      source.current = () => server.system.storageStats();
    },
    /** Counts one finished verification (`verifyOutcome` / `verifyTyped`): outcome, window position, block. */
    countVerify(version: 3 | 4, outcome: CountedOutcome): void {
      series.verifyTotal.inc({ protocol: String(version), outcome: outcome.result });
      if (outcome.matchedPosition !== null) series.verifyWindowPosition.observe(outcome.matchedPosition);
      if (outcome.blocked) {
        series.activationBlockedTotal.inc({
          reason: outcome.blocked.reason,
          temporary: String(outcome.blocked.temporary),
        });
      }
    },
    /** Counts a verification that threw: `registry_rejected` for OFF-01xx, `error` otherwise. */
    countVerifyFailure(version: 3 | 4, error: unknown): void {
      const code = error instanceof OffcodeError ? error.code : '';
      series.verifyTotal.inc({
        protocol: String(version),
        outcome: code.startsWith('OFF-01') ? 'registry_rejected' : 'error',
      });
    },
    /** Counts one created payload. */
    countPayload(version: 3 | 4, kind: 'personalized' | 'non-personalized', proximity: boolean): void {
      series.payloadCreatedTotal.inc({ protocol: String(version), kind, proximity: String(proximity) });
    },
    /** Marks the start of a request (the first call per request counts: hooks of nested contexts agree). */
    requestStarted(request: object): void {
      if (!started.has(request)) started.set(request, process.hrtime.bigint());
    },
    /**
     * Counts a finished request once, however many contexts' hooks report it: `route` is the route template
     * (never an id), `unmatched` for 404 / 405.
     */
    requestFinished(request: object, route: string | undefined, method: string, status: number): void {
      if (finished.has(request)) return;
      finished.add(request);
      const label = route ?? 'unmatched';
      series.httpRequestsTotal.inc({ route: label, method, status: String(status) });
      const start = started.get(request);
      if (start !== undefined) {
        series.httpRequestDuration.observe({ route: label }, Number(process.hrtime.bigint() - start) / 1e9);
      }
    },
    /** Prometheus text format 0.0.4 of the whole registry. */
    render(): Promise<string> {
      return registry.metrics();
    },
  };
}

/** The registry of `createMetrics()`; share one between the plugin and the application's own routes. */
export type OffcodeMetrics = ReturnType<typeof createMetrics>;
