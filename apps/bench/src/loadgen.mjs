// Closed-loop HTTP load on undici: `connections` keep-alive connections per target, each sending its next
// request as soon as the previous answer has been read, until a deadline. Unlike a load tool that closes its
// sockets at the deadline, every request sent is waited for, so each answer is seen and counted — the
// verification load needs that: every code is sent exactly twice and every acceptance is counted.
import { latencySummary } from '@offcode/bench-kit';
import { Client } from 'undici';

/**
 * Runs `next(lane, open)` → job | null on `connections` clients per URL (lane = index of the URL) until
 * every client got null; `open` turns false at the deadline. A job is `{ path, body }` (POSTed as JSON);
 * `onAnswer(job, status, text)` sees each answer. Returns requests, answers by status class, transport
 * errors, throughput and latency percentiles over the whole run.
 */
export async function closedLoop(urls, connections, durationMs, next, onAnswer = () => undefined) {
  const clients = urls.flatMap((url, lane) =>
    Array.from({ length: connections }, () => ({
      lane,
      client: new Client(url, { pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 }),
    })),
  );
  const latencies = [];
  const status = { ok: 0, non2xx: 0, errors: 0 };
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async ({ lane, client }) => {
    for (;;) {
      const job = next(lane, performance.now() < deadline);
      if (!job) return;
      const t0 = performance.now();
      let statusCode = 0;
      let text = '';
      try {
        const res = await client.request({
          method: 'POST',
          path: job.path,
          headers: { 'content-type': 'application/json' },
          body: job.body,
        });
        text = await res.body.text();
        statusCode = res.statusCode;
        latencies.push(performance.now() - t0);
      } catch {
        status.errors++;
      }
      if (statusCode >= 200 && statusCode < 300) status.ok++;
      else if (statusCode !== 0) status.non2xx++;
      // outside the try: an exception of the caller's own stops the run instead of counting as an error
      onAnswer(job, statusCode, text);
    }
  };
  try {
    await Promise.all(clients.map(worker));
  } finally {
    await Promise.all(clients.map(({ client }) => client.close().catch(() => undefined)));
  }
  const elapsedMs = performance.now() - started;
  const requests = status.ok + status.non2xx + status.errors;
  return {
    requests,
    rps: Math.round((requests / elapsedMs) * 1000),
    duration_s: +(elapsedMs / 1000).toFixed(1),
    errors: status.non2xx + status.errors,
    ...latencySummary(latencies),
  };
}

/**
 * Hands out items so that each is sent exactly twice, the two copies racing: taking an item queues its
 * twin for the next free connection of the other lane (the other API process; the same lane when there is
 * one). Twins go first; new items only while `open`. The queue is shared and FIFO, so items of one
 * activation leave it in the order their codes were computed.
 */
export class PairQueue {
  constructor(items, lanes) {
    this.items = items;
    this.head = 0;
    this.twins = Array.from({ length: lanes }, () => []);
    this.taken = 0;
  }

  take(lane, open) {
    const twin = this.twins[lane].shift();
    if (twin) return twin;
    if (!open || this.head >= this.items.length) return null;
    const item = this.items[this.head++];
    this.taken++;
    this.twins[(lane + 1) % this.twins.length].push(item);
    return item;
  }

  /** Items never handed out (kept for the next run). */
  rest() {
    return this.items.slice(this.head);
  }
}
