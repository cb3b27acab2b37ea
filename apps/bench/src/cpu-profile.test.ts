// The CPU-profile summary: modules from frame URLs, phases from the nearest verify step on the stack (else
// the nearest non-Node frame), idle time kept out of the shares; a real profile of real work in this process.
import { Session } from 'node:inspector';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moduleOf, summariseProfile } from './cpu-profile.mjs';

interface Frame {
  functionName: string;
  url: string;
}
const frame = (functionName: string, url = ''): Frame => ({ functionName, url });
const SERVER = 'file:///w/packages/server/dist/chunk-X.js';
const PG = 'file:///w/node_modules/.pnpm/pg@8.23.1/node_modules/pg/lib/client.js';

/** A profile from stacks (root first) and how many 1 ms samples each gets. */
function profileOf(stacks: [Frame[], number][]) {
  const nodes: { id: number; callFrame: Frame; children: number[] }[] = [
    { id: 1, callFrame: frame('(root)'), children: [] },
  ];
  const samples: number[] = [];
  for (const [stack, count] of stacks) {
    let parent = nodes[0]!;
    for (const f of stack) {
      let child = parent.children
        .map((id) => nodes.find((n) => n.id === id)!)
        .find((n) => n.callFrame.functionName === f.functionName && n.callFrame.url === f.url);
      if (!child) {
        child = { id: nodes.length + 1, callFrame: f, children: [] };
        nodes.push(child);
        parent.children.push(child.id);
      }
      parent = child;
    }
    for (let i = 0; i < count; i++) samples.push(parent.id);
  }
  return {
    nodes,
    samples,
    timeDeltas: samples.map(() => 1000),
    startTime: 0,
    endTime: samples.length * 1000,
  };
}

describe('moduleOf', () => {
  it.each([
    [PG, 'pg'],
    [
      'file:///w/node_modules/.pnpm/@fastify+x@1/node_modules/@fastify/ajv-compiler/index.js',
      '@fastify/ajv-compiler',
    ],
    [SERVER, '@offcode/server'],
    ['file:///w/apps/api/dist/main.js', 'apps/api'],
    ['node:internal/streams/readable', 'node'],
    ['wasm://wasm/1234', 'wasm'],
  ])('%s → %s', (url, expected) => {
    expect(moduleOf({ functionName: 'f', url })).toBe(expected);
  });

  it('names V8 pseudo-frames by their name', () => {
    expect(moduleOf(frame('(garbage collector)'))).toBe('(garbage collector)');
    expect(moduleOf(frame('(idle)'))).toBe('(idle)');
  });
});

describe('summariseProfile', () => {
  it('puts each sample in the phase of its nearest verify step, else by its nearest non-Node frame', () => {
    const s = summariseProfile(
      profileOf([
        [[frame('lockActivation', SERVER), frame('query', PG), frame('write', 'node:net')], 3],
        [[frame('searchCode', SERVER), frame('deriveFactorKeys', SERVER), frame('ecdh', 'node:crypto')], 2],
        [[frame('searchCode', SERVER), frame('searchOfflineCode', 'wasm://wasm/1')], 4],
        [[frame('onStreamRead', 'node:net'), frame('parse', PG)], 5],
        [[frame('(idle)')], 10],
        [[frame('(garbage collector)')], 1],
        [[frame('onStreamRead', 'node:net')], 1],
        // a function of another module that happens to share a step's name is not a step
        [[frame('searchCode', PG)], 1],
        // a native frame (no URL) is the module's that called it
        [[frame('applySuccess', SERVER), frame('query', PG), frame('JSON.stringify')], 2],
      ]),
    );
    const phase = Object.fromEntries(s.byPhase.map((e) => [e.name, e.ms]));
    expect(phase).toEqual({
      'lock and read': 3,
      'unseal and derive keys': 2,
      search: 4,
      'pg driver (answers)': 6,
      GC: 1,
      'Node (sockets, HTTP parser, timers)': 1,
      writes: 2,
    });
    expect(s.idleMs).toBe(10);
    expect(s.totalMs).toBe(29);
    const mod = Object.fromEntries(s.byModule.map((e) => [e.name, e.ms]));
    expect(mod).toEqual({ node: 6, pg: 6, wasm: 4, '(garbage collector)': 1, 'pg (native)': 2 });
    expect(s.byPhase.reduce((a, e) => a + e.pct, 0)).toBeCloseTo(100, 0);
  });

  it('busy time is the total minus idle, whatever the stacks (property)', () => {
    const frames = [
      frame('applySuccess', SERVER),
      frame('query', PG),
      frame('x', 'node:net'),
      frame('(idle)'),
      frame('route', 'file:///w/node_modules/fastify/lib/route.js'),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(fc.constantFrom(...frames), { minLength: 1, maxLength: 4 }), fc.nat(5)), {
          minLength: 1,
          maxLength: 8,
        }),
        (stacks) => {
          const s = summariseProfile(profileOf(stacks));
          const busyPhases = s.byPhase.reduce((a, e) => a + e.ms, 0);
          const busyModules = s.byModule.reduce((a, e) => a + e.ms, 0);
          expect(busyPhases).toBeCloseTo(s.totalMs - s.idleMs, 0);
          expect(busyModules).toBeCloseTo(s.totalMs - s.idleMs, 0);
        },
      ),
    );
  });

  it('summarises a real V8 profile of this process', async () => {
    const session = new Session();
    session.connect();
    const post = (method: string, params = {}) =>
      new Promise<unknown>((resolve, reject) =>
        session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))),
      );
    await post('Profiler.enable');
    await post('Profiler.start');
    const end = performance.now() + 50;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    const { profile } = (await post('Profiler.stop')) as { profile: Parameters<typeof summariseProfile>[0] };
    session.disconnect();
    const s = summariseProfile(profile);
    expect(x).toBeGreaterThan(0);
    expect(s.totalMs).toBeGreaterThan(30);
    expect(s.byModule.length).toBeGreaterThan(0);
  });
});
