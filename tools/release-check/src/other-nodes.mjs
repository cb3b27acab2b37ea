#!/usr/bin/env node
// The test command's step "packages on Node 22 and 24": the scratch project of the install test (reused while
// the tarballs are byte-identical, else packed and installed again), with PGlite, runs smoke.mjs --examples
// under the latest Node 22 and 24 from the npm registry (`npx -y node@N`, cached by npx after the first run).
// Each version must satisfy the packages' engines range. Prints one line per version; exit 1 on a failure.
import { execFileSync } from 'node:child_process';
import semver from 'semver';
import { NODE_ENGINES } from './metadata.mjs';
import { addPglite, scratchEnv, scratchProject } from './scratch.mjs';

const versions = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['22', '24'];
const { dir } = scratchProject();
addPglite(dir);
let status = 0;
for (const major of versions) {
  let out = '';
  try {
    out = execFileSync('npx', ['-y', '--prefer-offline', `node@${major}`, 'smoke.mjs', '--examples'], {
      cwd: dir,
      encoding: 'utf8',
      env: scratchEnv(),
      timeout: 300_000,
    });
  } catch (error) {
    out = String(/** @type {{ stdout?: string }} */ (error).stdout ?? '');
  }
  const report = (() => {
    try {
      return JSON.parse(out.trim().split('\n').pop() ?? '');
    } catch {
      return { node: `node@${major}`, entries: [], ran: [], failures: [`no report: ${out.slice(0, 200)}`] };
    }
  })();
  if (report.failures.length === 0 && !semver.satisfies(report.node, NODE_ENGINES)) {
    report.failures.push(`${report.node} is outside engines ${NODE_ENGINES}`);
  }
  const ok = report.failures.length === 0 && String(report.node).startsWith(`v${major}.`);
  if (!ok) status = 1;
  console.log(
    `node ${report.node}: ${ok ? 'ok' : 'FAILED'} (${report.entries.length} entries, ${report.ran.length} runs)${ok ? '' : `: ${report.failures.join('; ')}`}`,
  );
}
process.exit(status);
