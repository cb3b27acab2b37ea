// After tsup bundled the declarations `tsc` emitted (build/dts/**/*.d.ts), rollup names a shared declaration
// chunk after its module's base name, which for `suite.d.ts` is `suite.d`: `suite.d-BHalyfCK.d.ts`, where
// tsup bundling the sources named it `suite-BHalyfCK.d.ts`. Renames those chunks (and the imports of them) so
// every tarball ships the same file names as before. Run in a package folder, on its dist/.
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(process.cwd(), 'dist');
const chunk = /^(.+)\.d-([A-Za-z0-9_-]+)\.d\.ts$/;
const files = readdirSync(dist).filter((f) => f.endsWith('.d.ts'));
const renamed = new Map();
for (const file of files) {
  const m = chunk.exec(file);
  if (m) renamed.set(`${m[1]}.d-${m[2]}`, `${m[1]}-${m[2]}`);
}
if (renamed.size > 0) {
  for (const file of files) {
    const path = join(dist, file);
    const text = readFileSync(path, 'utf8');
    let next = text;
    for (const [from, to] of renamed) next = next.replaceAll(`'./${from}.js'`, `'./${to}.js'`);
    if (next !== text) writeFileSync(path, next);
  }
  for (const [from, to] of renamed) renameSync(join(dist, `${from}.d.ts`), join(dist, `${to}.d.ts`));
}
