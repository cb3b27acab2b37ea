// "Where the time goes" (issue 13 item 3): the verify phase timers (server.md §3.5 "Phase timings") of the
// in-process rows and of the profiled HTTP point, and the CPU profile of that point per phase and module.

export const PHASE_COLUMNS = [
  ['parse', 'parse and validate'],
  ['lock', 'lock and read'],
  ['keys', 'unseal and derive keys'],
  ['search', 'search'],
  ['writes', 'writes'],
  ['commit', 'commit'],
];

const ms = (v) => (v === null || v === undefined ? '-' : v.toFixed(3));
const share = (v, total) => (total ? `${((v / total) * 100).toFixed(0)} %` : '-');

function phaseCells(phases, total) {
  return PHASE_COLUMNS.map(([key]) => `${ms(phases[key])} (${share(phases[key], total)})`);
}

/** Mean ms per phase (share of the request) for the in-process rows that have timers. */
export function inProcessPhaseTable(serverRows) {
  const rows = serverRows.filter((r) => r.phases && r.phases.total !== null);
  if (rows.length === 0) return 'No in-process phase timers (the server bench did not report them).';
  return [
    `| in-process, sequential | ${PHASE_COLUMNS.map(([, label]) => label).join(' | ')} | total ms |`,
    `|---|${PHASE_COLUMNS.map(() => '---:').join('|')}|---:|`,
    ...rows.map(
      (r) => `| ${r.name} | ${phaseCells(r.phases, r.phases.total).join(' | ')} | ${ms(r.phases.total)} |`,
    ),
  ].join('\n');
}

/** The timers of the profiled HTTP point: server phases plus HTTP (request time minus verify time). */
export function httpPhaseTable(httpRows) {
  const p = httpRows.find((r) => r.group === 'http-profile');
  if (!p?.timers?.phases || p.timers.http_ms === null) return 'No HTTP phase timers (not measured).';
  const { phases, http_ms } = p.timers;
  const httpPart = http_ms - phases.total;
  return [
    `| HTTP, ${p.setup} (${p.rps}/s with timers and profiler on) | ${PHASE_COLUMNS.map(([, label]) => label).join(' | ')} | HTTP and event-loop wait | request ms |`,
    `|---|${PHASE_COLUMNS.map(() => '---:').join('|')}|---:|---:|`,
    `| mean per verify request (${p.timers.requests} requests) | ${phaseCells(phases, http_ms).join(' | ')} | ${ms(httpPart)} (${share(httpPart, http_ms)}) | ${ms(http_ms)} |`,
  ].join('\n');
}

/** The CPU profile of the profiled HTTP point: self time per phase and the top modules. */
export function profileTables(httpRows, topModules = 12) {
  const p = httpRows.find((r) => r.group === 'http-profile');
  if (!p?.profile) return 'No CPU profile (not measured).';
  const { profile } = p;
  const busy = profile.totalMs - profile.idleMs;
  const table = (title, list) => [
    `| ${title} | self ms | share of busy CPU |`,
    '|---|---:|---:|',
    ...list.map((e) => `| ${e.name} | ${e.ms} | ${e.pct} % |`),
  ];
  return [
    `CPU profile of the API process (V8 sampling profiler, 1 ms) over the profiled point: ${profile.totalMs.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms busy (${share(busy, profile.totalMs)}), the rest idle (waiting for PostgreSQL and the sockets).`,
    '',
    ...table('phase (nearest verify step on the stack; else the nearest non-Node frame)', profile.byPhase),
    '',
    ...table(`module (top ${topModules}, self time)`, profile.byModule.slice(0, topModules)),
  ].join('\n');
}
