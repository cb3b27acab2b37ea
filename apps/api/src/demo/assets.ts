/** Where this package lives on disk (source or dist alike): for the built browser bundle of the token page. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The apps/api directory: the nearest package.json named @offcode/api above this module. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === '@offcode/api') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the @offcode/api package directory');
    dir = parent;
  }
}

export const defaultAssetsDir = (): string => join(packageRoot(), 'dist', 'assets');
