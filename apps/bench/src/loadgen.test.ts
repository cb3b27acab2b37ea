// The closed-loop driver over real HTTP (node:http servers that answer after a random delay): every item
// is sent exactly twice, the copies through both targets when there are two; the run lasts at least its
// duration and waits for every answer; PairQueue's hand-out rules as a property.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { httpBenchOptions } from './http.mjs';
import { closedLoop, PairQueue } from './loadgen.mjs';

const servers: Server[] = [];

/** A server that records each body and answers 200 with it after 0..maxDelayMs. */
async function recordingServer(maxDelayMs: number) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      seen.push(body);
      setTimeout(() => res.end(body), Math.random() * maxDelayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ path: '/v', body: `item-${i}`, key: i }));

const counts = (xs: string[]) =>
  xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());

describe('closedLoop with PairQueue', () => {
  it('two targets: every item handed out reaches each target once; answers counted for all', async () => {
    const a = await recordingServer(3);
    const b = await recordingServer(3);
    const queue = new PairQueue(items(100_000), 2);
    const answers: string[] = [];
    const run = await closedLoop(
      [a.url, b.url],
      4,
      300,
      (lane, open) => queue.take(lane, open),
      (_job, status, text) => {
        expect(status).toBe(200);
        answers.push(text);
      },
    );
    expect(queue.taken).toBeGreaterThan(0);
    expect(queue.rest().length).toBe(100_000 - queue.taken);
    for (const seen of [a.seen, b.seen]) {
      expect(seen).toHaveLength(queue.taken);
      expect([...counts(seen).values()].every((n) => n === 1)).toBe(true);
    }
    expect(new Set(a.seen)).toEqual(new Set(b.seen));
    expect(run.requests).toBe(2 * queue.taken);
    expect(answers).toHaveLength(run.requests);
    expect(run.errors).toBe(0);
    expect(run.duration_s).toBeGreaterThanOrEqual(0.3);
    expect(run.p50_ms).toBeGreaterThan(0);
  });

  it('answers slower than the deadline are still waited for, and twins still sent', async () => {
    const a = await recordingServer(80);
    const queue = new PairQueue(items(1000), 1);
    let answered = 0;
    const run = await closedLoop(
      [a.url],
      8,
      20,
      (lane, open) => queue.take(lane, open),
      () => {
        answered++;
      },
    );
    expect(queue.taken).toBeGreaterThanOrEqual(4);
    expect(a.seen).toHaveLength(2 * queue.taken);
    expect([...counts(a.seen).values()].every((n) => n === 2)).toBe(true);
    expect(answered).toBe(2 * queue.taken);
    expect(run.requests).toBe(2 * queue.taken);
  });

  it('items running out ends the run early, each item sent twice', async () => {
    const a = await recordingServer(1);
    const queue = new PairQueue(items(30), 1);
    const run = await closedLoop([a.url], 3, 60_000, (lane, open) => queue.take(lane, open));
    expect(run.duration_s).toBeLessThan(60);
    expect(queue.taken).toBe(30);
    expect(a.seen).toHaveLength(60);
    expect([...counts(a.seen).values()].every((n) => n === 2)).toBe(true);
  });

  it('a refused connection counts as an error, not an answer', async () => {
    const a = await recordingServer(1);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    let sent = 0;
    const run = await closedLoop([a.url], 1, 50, (_lane, open) =>
      open && sent++ < 3 ? { path: '/', body: 'x' } : null,
    );
    expect(run.errors).toBe(3);
    expect(run.requests).toBe(3);
  });
});

describe('PairQueue', () => {
  it('hands out each item at most twice, first copies in order, each twin to the other lane', () => {
    const step = fc.record({ lane: fc.nat(1), open: fc.boolean() });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.nat(20),
        fc.array(step, { maxLength: 80 }),
        (lanes, n, steps) => {
          const queue = new PairQueue(items(n), lanes);
          const firstLane = new Map<number, number>();
          const copies = new Map<number, number>();
          const firsts: number[] = [];
          for (const s of steps) {
            const lane = s.lane % lanes;
            const item = queue.take(lane, s.open);
            if (!item) continue;
            const c = (copies.get(item.key) ?? 0) + 1;
            copies.set(item.key, c);
            if (c === 1) {
              firstLane.set(item.key, lane);
              firsts.push(item.key);
            } else {
              expect(lane).toBe((firstLane.get(item.key)! + 1) % lanes);
            }
          }
          expect([...copies.values()].every((c) => c <= 2)).toBe(true);
          expect(firsts).toEqual(firsts.map((_, i) => i));
          expect(queue.taken).toBe(firsts.length);
          // after the deadline, the lanes still get every pending twin and then nothing new
          for (let lane = 0; lane < lanes; lane++) {
            for (let item = queue.take(lane, false); item; item = queue.take(lane, false))
              copies.set(item.key, (copies.get(item.key) ?? 0) + 1);
          }
          expect([...copies.values()].every((c) => c === 2)).toBe(true);
        },
      ),
    );
  });

  it('full mode: 10 000 activations and 10 s points at 1, 16 and 64 connections, profiled at 64', () => {
    expect(httpBenchOptions(false)).toEqual({
      durationS: 10,
      activations: 10_000,
      connections: [1, 16, 64],
      profileConnections: 64,
    });
  });

  it('quick mode: 1 and more connections, the profiled point at one of its levels', () => {
    const o = httpBenchOptions(true);
    expect(o.connections).toContain(1);
    expect(o.connections.some((c) => c > 1)).toBe(true);
    expect(o.connections).toContain(o.profileConnections);
    expect(o.activations).toBeGreaterThanOrEqual(100);
  });
});
