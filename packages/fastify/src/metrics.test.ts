import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

describe('the prom-client registry', () => {
  it('has every offcode_* series of server.md §2.6, the pool gauges and the default process metrics', async () => {
    const m = createMetrics();
    const text = await m.render();
    for (const name of [
      'offcode_verify_total',
      'offcode_payload_created_total',
      'offcode_activation_blocked_total',
      'offcode_db_busy_total',
      'offcode_http_requests_total',
      'offcode_verify_duration_seconds',
      'offcode_verify_window_position',
      'offcode_http_request_duration_seconds',
      'offcode_build_info',
      'offcode_db_pool_max',
      'offcode_db_pool_connections',
      'offcode_db_pool_idle_connections',
      'offcode_db_pool_waiting',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text.endsWith('\n')).toBe(true);
    expect(m.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('two registries in one process do not share series; default metrics can be left out', async () => {
    const a = createMetrics();
    const b = createMetrics({ defaultMetrics: false });
    a.countPayload(4, 'personalized', false);
    expect(await a.render()).toMatch(
      /^offcode_payload_created_total\{protocol="4",kind="personalized",proximity="false"\} 1$/m,
    );
    const other = await b.render();
    expect(other).not.toMatch(/^offcode_payload_created_total\{/m);
    expect(other).not.toContain('process_cpu_seconds_total');
  });

  it('counts outcomes, window positions, blocks and failures as the REST methods do; label values escaped', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.countVerify(3, { result: 'valid', matchedPosition: 2, blocked: null });
    m.countVerify(3, {
      result: 'invalid',
      matchedPosition: null,
      blocked: { reason: 'MAX_FAILED_ATTEMPTS', temporary: true },
    });
    m.countVerifyFailure(4, Object.assign(new Error('x'), { code: 'OFF-0103' }));
    m.requestFinished({}, '/q"\\\n', 'GET', 200);
    const text = await m.render();
    expect(text).toMatch(/^offcode_verify_total\{protocol="3",outcome="valid"\} 1$/m);
    expect(text).toMatch(/^offcode_verify_total\{protocol="3",outcome="invalid"\} 1$/m);
    // Not an OffcodeError: counted as an error, not as a registry rejection.
    expect(text).toMatch(/^offcode_verify_total\{protocol="4",outcome="error"\} 1$/m);
    expect(text).toMatch(/^offcode_verify_window_position_bucket\{le="1"\} 0$/m);
    expect(text).toMatch(/^offcode_verify_window_position_bucket\{le="2"\} 1$/m);
    expect(text).toMatch(
      /^offcode_activation_blocked_total\{reason="MAX_FAILED_ATTEMPTS",temporary="true"\} 1$/m,
    );
    expect(text).toContain('offcode_http_requests_total{route="/q\\"\\\\\\n",method="GET",status="200"} 1');
  });

  it('pool gauges read the watched server at scrape time, 0 without one', async () => {
    const m = createMetrics({ defaultMetrics: false });
    expect(await m.render()).toMatch(/^offcode_db_pool_connections 0$/m);
    let stats = { max: 10, total: 3, idle: 1, waiting: 4 };
    m.watchServer({ system: { storageStats: () => stats } } as never);
    let text = await m.render();
    expect(text).toMatch(/^offcode_db_pool_max 10$/m);
    expect(text).toMatch(/^offcode_db_pool_connections 3$/m);
    expect(text).toMatch(/^offcode_db_pool_idle_connections 1$/m);
    expect(text).toMatch(/^offcode_db_pool_waiting 4$/m);
    stats = { max: 10, total: 5, idle: 5, waiting: 0 };
    text = await m.render();
    expect(text).toMatch(/^offcode_db_pool_connections 5$/m);
    expect(text).toMatch(/^offcode_db_pool_waiting 0$/m);
  });
});
