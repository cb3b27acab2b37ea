import { describe, expect, it } from 'vitest';
import { Counter, createMetrics, Histogram } from './metrics.js';

describe('Prometheus text format', () => {
  it('counters with labels, escaped label values', () => {
    const c = new Counter('x_total', 'Things.', ['route', 'status']);
    c.inc({ route: '/a', status: '200' });
    c.inc({ route: '/a', status: '200' }, 2);
    c.inc({ route: 'q"\\\n', status: '400' });
    expect(c.get({ route: '/a', status: '200' })).toBe(3);
    expect(c.render()).toBe(
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{route="/a",status="200"} 3',
        'x_total{route="q\\"\\\\\\n",status="400"} 1',
      ].join('\n'),
    );
  });

  it('histograms: cumulative buckets, +Inf, sum and count', () => {
    const h = new Histogram('d_seconds', 'Durations.', [0.1, 1], ['p']);
    h.observe({ p: '3' }, 0.05);
    h.observe({ p: '3' }, 0.5);
    h.observe({ p: '3' }, 5);
    expect(h.render().split('\n').slice(2)).toEqual([
      'd_seconds_bucket{p="3",le="0.1"} 1',
      'd_seconds_bucket{p="3",le="1"} 2',
      'd_seconds_bucket{p="3",le="+Inf"} 3',
      'd_seconds_sum{p="3"} 5.55',
      'd_seconds_count{p="3"} 3',
    ]);
  });

  it('the registry has every metric of server.md §2.6 and ends with a newline', () => {
    const m = createMetrics();
    const text = m.render();
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
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text.endsWith('\n')).toBe(true);
  });
});
