/**
 * A small Prometheus registry (text exposition format 0.0.4, per process): counters, histograms and gauges
 * with labels. Label values are route templates and enums only, never ids (server.md §2.6).
 */

type Labels = Readonly<Record<string, string>>;

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function labelText(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

const keyOf = (labelNames: readonly string[], labels: Labels): string =>
  JSON.stringify(labelNames.map((n) => labels[n] ?? ''));

function pick(labelNames: readonly string[], labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const n of labelNames) out[n] = labels[n] ?? '';
  return out;
}

const formatNumber = (n: number): string => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : '-Inf');

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(this.labelNames, labels);
    const entry = this.values.get(key) ?? { labels: pick(this.labelNames, labels), value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  get(labels: Labels = {}): number {
    return this.values.get(keyOf(this.labelNames, labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values())
      lines.push(`${this.name}${labelText(labels)} ${formatNumber(value)}`);
    return lines.join('\n');
  }
}

export class Gauge implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  set(labels: Labels, value: number): void {
    this.values.set(keyOf(this.labelNames, labels), { labels: pick(this.labelNames, labels), value });
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const { labels, value } of this.values.values())
      lines.push(`${this.name}${labelText(labels)} ${formatNumber(value)}`);
    return lines.join('\n');
  }
}

export class Histogram implements Metric {
  private readonly values = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
    readonly labelNames: readonly string[] = [],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = keyOf(this.labelNames, labels);
    let entry = this.values.get(key);
    if (!entry) {
      entry = { labels: pick(this.labelNames, labels), counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.values.set(key, entry);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) entry.counts[i]! += 1;
    });
    entry.sum += value;
    entry.count += 1;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.values.values()) {
      this.buckets.forEach((b, i) => {
        lines.push(`${this.name}_bucket${labelText(labels, ['le', formatNumber(b)])} ${counts[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText(labels, ['le', '+Inf'])} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Every metric of server.md §2.6. */
export function createMetrics() {
  const metrics = {
    verifyTotal: new Counter('offcode_verify_total', 'Offline verifications by protocol and outcome.', [
      'protocol',
      'outcome',
    ]),
    payloadCreatedTotal: new Counter('offcode_payload_created_total', 'Offline payloads created.', [
      'protocol',
      'kind',
      'proximity',
    ]),
    activationBlockedTotal: new Counter(
      'offcode_activation_blocked_total',
      'Activations blocked by verification.',
      ['reason', 'temporary'],
    ),
    dbBusyTotal: new Counter(
      'offcode_db_busy_total',
      'Requests answered OFF-0201 (database busy or unreachable).',
    ),
    httpRequestsTotal: new Counter('offcode_http_requests_total', 'HTTP requests.', [
      'route',
      'method',
      'status',
    ]),
    verifyDuration: new Histogram(
      'offcode_verify_duration_seconds',
      'Duration of offline verifications.',
      DURATION_BUCKETS,
      ['protocol'],
    ),
    verifyWindowPosition: new Histogram(
      'offcode_verify_window_position',
      'Counter-window position k of accepted codes.',
      [0, 1, 2, 5, 10, 20, 64],
    ),
    httpRequestDuration: new Histogram(
      'offcode_http_request_duration_seconds',
      'HTTP request duration.',
      DURATION_BUCKETS,
      ['route'],
    ),
    buildInfo: new Gauge('offcode_build_info', 'Build information (always 1).', [
      'version',
      'crypto_backend',
      'database',
    ]),
  };
  const started = new WeakMap<object, bigint>();
  const finished = new WeakSet<object>();
  return {
    ...metrics,
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
      metrics.httpRequestsTotal.inc({ route: label, method, status: String(status) });
      const start = started.get(request);
      if (start !== undefined) {
        metrics.httpRequestDuration.observe({ route: label }, Number(process.hrtime.bigint() - start) / 1e9);
      }
    },
    /** Prometheus text format 0.0.4. */
    render(): string {
      return `${Object.values(metrics)
        .map((m) => m.render())
        .join('\n')}\n`;
    },
  };
}

/** The registry of `createMetrics()`; share one between the plugin and the application's own routes. */
export type OffcodeMetrics = ReturnType<typeof createMetrics>;
