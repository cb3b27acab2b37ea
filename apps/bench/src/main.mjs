// `pnpm bench [--quick]`: the Offcode benchmark report. Runs every group side by side in one process,
// writes bench/results/<date>-<machine>.{json,md,svg} at the repo root and prints the Markdown.
// --quick (CI): shorter rounds; exits 1 only on ratio sanity (wasm slower than noble on KMAC256, or a
// verification accepted twice), never on absolute times nor on the targets (printed as PASS/FAIL lines).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, publicRows, ratio, runGroups, timingTable } from '@offcode/bench-kit';
import { ratioChart } from './chart.mjs';
import { engineGroups } from './engine.mjs';
import { floorBenchOptions, floorTable, runFloorBench } from './floor.mjs';
import { comparisonTable, floorComparisons, sanityFailures, targetChecks } from './floor-report.mjs';
import { httpBenchOptions, httpTable, runHttpBench } from './http.mjs';
import { httpPhaseTable, inProcessPhaseTable, profileTables } from './phases-report.mjs';
import { primitiveGroups } from './primitives.mjs';
import { runServerBench, serverBenchOptions, serverTable } from './server.mjs';

const quick = process.argv.includes('--quick');
// --tag NAME: an extra suffix for the file names (e.g. a second run to compare with `compare.mjs`)
const tagIndex = process.argv.indexOf('--tag');
const tag = tagIndex > 0 ? `-${process.argv[tagIndex + 1]}` : '';
// --only timings,server,floor,http: run only these groups (targeted runs while working; the report then
// says which groups were left out, and its files get an `-only-…` suffix)
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? new Set(process.argv[onlyIndex + 1].split(',')) : null;
const runs = (group) => only === null || only.has(group);
const onlyTag = only ? `-only-${[...only].join('-')}` : '';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const started = Date.now();
const adminUrl = process.env.OFFCODE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const loadBefore = loadavg();
// Quick mode (CI, issue 11 item 10: the whole test command in 7 minutes) only has to keep every section
// and the sanity checks alive: short samples, and fewer rows in each group (see each group's quick options).
const rounds = quick ? 2 : 8;
const timeMs = quick ? 25 : 150;
const warmupMs = quick ? 10 : 50;

/** Runs one group of the report if it was asked for, and says on stderr how long it took. */
async function phase(group, label, run, empty) {
  if (!runs(group)) return empty;
  console.error(`bench: ${label}`);
  const t0 = performance.now();
  const result = await run();
  console.error(`bench: ${group} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

const groups = [...primitiveGroups({ quick }), ...engineGroups({ quick })];
const serverPhase = () =>
  phase('server', 'server in-process (PGlite, PostgreSQL)', () => runServerBench({ quick }), []);
const floorPhase = (databases, label) =>
  phase('floor', `database floor (${label})`, () => runFloorBench({ quick, adminUrl, databases }), []);
const timingsPhase = () =>
  phase(
    'timings',
    'timings (primitives, code engine)',
    () => runGroups(groups, { rounds, timeMs, warmupMs }),
    [],
  );
const floorOptions = floorBenchOptions(quick);
let rows;
let serverRows;
let floorRows;
if (quick) {
  // Quick mode runs the in-process server group (its own child process) beside this process's CPU-bound
  // work — the timings, then the PGlite floor: on two cores that saves most of its time. The sanity
  // ratios (wasm 14-20x faster than noble on KMAC256) survive the neighbour, as both backends of a group
  // share it (alternating order). The PostgreSQL floor and HTTP run alone after it. The full run keeps
  // every group apart.
  const serverBeside = serverPhase();
  serverBeside.catch(() => undefined); // awaited below; a failure here must not hide it
  rows = await timingsPhase();
  const pgliteFloorRows = await floorPhase(['pglite'], 'PGlite');
  serverRows = await serverBeside;
  const postgresFloorRows = await floorPhase(['postgresql'], 'pg driver and pgbench on PostgreSQL');
  floorRows = [...postgresFloorRows, ...pgliteFloorRows];
} else {
  rows = await timingsPhase();
  serverRows = await serverPhase();
  floorRows = await floorPhase(['postgresql', 'pglite'], 'pg driver and pgbench on PostgreSQL, PGlite');
}
const httpOptions = httpBenchOptions(quick);
const httpRows = await phase(
  'http',
  'HTTP (closed loop on undici, PostgreSQL, 1 and 2 API processes)',
  () => runHttpBench({ quick, adminUrl }),
  [],
);
const loadAfter = loadavg();
const comparisonsToFloor = floorComparisons({ serverRows, httpRows, floorRows });
const targets = targetChecks({ serverRows, httpRows, floorRows });

const m = machine();
const slug = `${m.cpu
  .replace(/[^A-Za-z0-9]+/g, '-')
  .replace(/^-|-$/g, '')
  .toLowerCase()}-${m.cores}c`;
const date = new Date().toISOString().slice(0, 10);
const base = join(root, 'bench', 'results', `${date}-${slug}${quick ? '-quick' : ''}${onlyTag}${tag}`);
mkdirSync(dirname(base), { recursive: true });

const comparisons = [];
for (const g of groups) {
  for (const other of ['noble', 'node:crypto']) {
    const r = ratio(rows, g.name, 'wasm', other);
    if (r) comparisons.push({ label: `${g.name} vs ${other}`, ratio: r.value, min: r.min, max: r.max });
  }
}
const failures = sanityFailures(comparisons, httpRows);

const md = [
  '# Offcode benchmark report',
  '',
  `Machine: ${m.cpu}, ${m.cores} cores, node ${m.node}. Mode: ${quick ? 'quick' : 'full'} (${rounds} rounds x ${timeMs} ms per task, task order alternating between rounds).`,
  ...(quick
    ? [
        `**Quick run (CI)**: it keeps every section and the sanity checks alive, its numbers are not measurements — a subset of the timing rows (every KMAC256 row, HMAC and SHA3 at 100 B, the failed window searches), ${serverBenchOptions(true).verifications} in-process verifications per row (run beside the timings and the PGlite floor), floor points of ${floorOptions.durationS} s at ${floorOptions.connections.join(' and ')} connections (pgbench at ${floorOptions.pgbenchConnections.join(', ')} only, ${floorOptions.activations} activations), HTTP points of ${httpOptions.durationS} s at ${httpOptions.connections.join(' and ')} connections on ${httpOptions.activations} activations. The numbers of record come from \`pnpm bench\`.`,
      ]
    : []),
  ...(only ? [`Only the groups ${[...only].join(', ')} were run (--only).`] : []),
  `Date: ${new Date().toISOString()}. Medians over all rounds; min-max are single-sample extremes; the ratio range is the per-round spread (the noise of this run).`,
  `Load average (1/5/15 min) at the start ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}, at the end ${loadAfter.map((l) => l.toFixed(2)).join(' / ')} (the machine is shared: anything above ~0.3 at the start means other work ran beside this one).`,
  '',
  '## Timings',
  '',
  timingTable(rows),
  '',
  '## Server in-process (sequential verifications, one activation at a time; parallel rows: 8 activations)',
  '',
  'Each database in a process of its own; after an untimed warm-up of the whole path (both protocols), the six sequential rows are measured in 4 interleaved rounds (each round verifies the next quarter of every row, the row order reversed every other round), so that nothing that changes over time lands on one row only.',
  '',
  serverTable(serverRows),
  '',
  '## Database floor (the verification transaction without Offcode: same statements, schema from the server migrations)',
  '',
  "BEGIN sent with the lock statement (the activation row joined with its application, [and its payload row]), then one statement for the writes (activation update, audit row, [the payload consumed]) with COMMIT pipelined behind it — the statements the server sends (floor-sql.test.ts compares them with a recorded verification); random activations; closed loop per connection. `pg driver` = node-postgres from this process, pipelined and with named (prepared) statements like the server's pool (the fair comparison for the Offcode rows), `pgbench` = the C client (-M prepared, -j 2; it cannot pipeline BEGIN with a statement whose row it keeps, so one round trip more), PGlite = its own driver in this process (one connection: PGlite serialises).",
  '',
  floorTable(floorRows),
  '',
  '## HTTP (closed loop on undici against apps/api on PostgreSQL; payload registry off so replays reach the counter check)',
  '',
  `Codes for activations drawn uniformly at random; every code sent twice, the copies racing (through both processes when there are two); double accepts counted from the answers and from the audit table. Each point ${httpOptions.durationS} s or more.`,
  '',
  httpTable(httpRows),
  '',
  '## Where the time goes (issue 13 item 3)',
  '',
  `Phase timers of the server (server.md §3.5 "Phase timings", on only for these measurements): mean ms per verification and its share. In-process: a second pass of ${Math.min(serverBenchOptions(quick).verifications, 60)} fresh codes per row, sequential. HTTP: an extra verification point at ${httpOptions.profileConnections} connections on the first API process with the timers and a CPU profile on; "HTTP and event-loop wait" = mean request time (Node's HTTP server channels, headers parsed to response finished) minus the verify time.`,
  '',
  inProcessPhaseTable(serverRows),
  '',
  httpPhaseTable(httpRows),
  '',
  profileTables(httpRows),
  '',
  '## Offcode / floor',
  '',
  'Latency rows: Offcode median / floor median (lower is better, 1 = the bare transaction). Throughput rows: Offcode req/s / floor tx/s (higher is better, 1 = the floor).',
  '',
  comparisonTable(comparisonsToFloor),
  '',
  '## Targets (issue 13 item 4; informational, they do not fail the run)',
  '',
  ...targets.map((t) => `- ${t.line}`),
  '',
  '## wasm speed-up (median ratio, per-round range)',
  '',
  '| comparison | ratio | per-round range |',
  '|---|---:|---:|',
  ...comparisons.map(
    (c) => `| ${c.label} | ${c.ratio.toFixed(2)}x | ${c.min.toFixed(2)}..${c.max.toFixed(2)} |`,
  ),
  '',
  failures.length
    ? `Sanity: FAILED — ${failures.join('; ')}`
    : 'Sanity: OK (wasm faster than noble on KMAC256; no double acceptance).',
  '',
  `Total time: ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  '',
].join('\n');

writeFileSync(
  `${base}.json`,
  `${JSON.stringify({ machine: m, date, mode: quick ? 'quick' : 'full', rows: [...publicRows(rows), ...serverRows, ...floorRows, ...httpRows], ratios: comparisons, floor_ratios: comparisonsToFloor, targets }, null, 2)}\n`,
);
writeFileSync(`${base}.md`, md);
writeFileSync(
  `${base}.svg`,
  ratioChart(comparisons, `Offcode: wasm speed-up (${m.cpu}, ${m.cores} cores, node ${m.node})`),
);
console.log(md);
console.log(`written: ${base}.{json,md,svg}`);
if (failures.length) process.exit(1);
