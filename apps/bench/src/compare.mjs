// Compares the wasm speed-ups of two reports: is every ratio of run B inside the per-round range that run A
// measured (the noise run A states)? Usage: node apps/bench/src/compare.mjs A.json B.json
import { readFileSync } from 'node:fs';

const [a, b] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
if (!a?.ratios || !b?.ratios) {
  console.error('usage: compare.mjs A.json B.json (reports written by apps/bench with ratios)');
  process.exit(2);
}
let inside = 0;
const lines = [
  '| comparison | run A (per-round range) | run B | B inside A range |',
  '|---|---:|---:|:---:|',
];
for (const ra of a.ratios) {
  const rb = b.ratios.find((r) => r.label === ra.label);
  if (!rb) continue;
  const ok = rb.ratio >= ra.min && rb.ratio <= ra.max;
  if (ok) inside++;
  lines.push(
    `| ${ra.label} | ${ra.ratio.toFixed(2)}x (${ra.min.toFixed(2)}..${ra.max.toFixed(2)}) | ${rb.ratio.toFixed(2)}x | ${ok ? 'yes' : 'no'} |`,
  );
}
const maxDev = Math.max(
  ...a.ratios.map((ra) => {
    const rb = b.ratios.find((r) => r.label === ra.label);
    return rb ? Math.abs(rb.ratio / ra.ratio - 1) : 0;
  }),
);
console.log(lines.join('\n'));
console.log(
  `\n${inside} of ${a.ratios.length} ratios of run B fall inside run A's per-round range; largest relative difference ${(maxDev * 100).toFixed(0)} %.`,
);
