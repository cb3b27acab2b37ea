/**
 * A migrated PGlite database as a data-directory dump, made once and kept in a file (server.md §5.3,
 * `@offcode/server/internal`, for test suites): `PGlite.create()` runs initdb (~1.4 s of CPU each time), loading
 * a dump takes about a quarter of that. The file name is a hash of the PGlite version and of every migration
 * (version, name, checksum), so a changed or added migration or another PGlite makes a new file; an old
 * template that is still loaded gets the pending migrations from `openStorage`'s runner like any database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MIGRATIONS, type Migration, migrate, migrationChecksum } from './migrate.js';
import { dumpPgliteStorage, openPgliteStorage } from './pglite.js';

export interface PgliteTemplateOptions {
  /** Where the dump files live (default `os.tmpdir()`). */
  directory?: string;
  /** The migrations applied to the template (default: all of the server's, `MIGRATIONS`). */
  migrations?: readonly Migration[];
}

/** One load per file and process: parallel suites in one worker share it. */
const loaded = new Map<string, Promise<Blob>>();

/** The installed PGlite's version: a dump belongs to the PGlite (PostgreSQL build) that wrote it. */
async function pgliteVersion(): Promise<string> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@electric-sql/pglite');
  // The package exports no ./package.json: walk up from its entry file to the manifest that names it.
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(await fs.readFile(join(dir, 'package.json'), 'utf8'));
      if (manifest.name === '@electric-sql/pglite') return String(manifest.version);
    } catch {
      // no manifest at this level: keep walking up
    }
  }
  throw new Error(`cannot find the version of @electric-sql/pglite (entry ${entry})`);
}

/** The dump file of these migrations on this PGlite. */
export async function pgliteTemplateFile(options: PgliteTemplateOptions = {}): Promise<string> {
  const migrations = options.migrations ?? MIGRATIONS;
  const key = createHash('sha256')
    .update(`offcode pglite template 1\npglite ${await pgliteVersion()}\n`)
    .update(migrations.map((m) => `${m.version} ${m.name} ${migrationChecksum(m)}\n`).join(''))
    .digest('hex')
    .slice(0, 24);
  return join(options.directory ?? tmpdir(), `offcode-pglite-template-${key}.tar`);
}

async function makeTemplate(file: string, migrations: readonly Migration[]): Promise<Blob> {
  const storage = await openPgliteStorage({ dataDir: 'memory://' });
  let dump: Blob;
  try {
    await migrate(storage, migrations);
    dump = await dumpPgliteStorage(storage);
  } finally {
    await storage.close();
  }
  // Written under a unique name and renamed: parallel workers that both make it each rename a whole file,
  // and a reader never sees a half-written one.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, new Uint8Array(await dump.arrayBuffer()));
  await fs.rename(tmp, file);
  return dump;
}

async function readOrMake(file: string, migrations: readonly Migration[]): Promise<Blob> {
  try {
    return new Blob([await fs.readFile(file)]);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    return await makeTemplate(file, migrations);
  }
}

/**
 * The dump of a memory:// database with the given migrations applied, for `openStorage`'s `pgliteDump`
 * option: read from its file, or made and written there (atomically) by the first caller.
 */
export function pgliteTemplate(options: PgliteTemplateOptions = {}): Promise<Blob> {
  const migrations = options.migrations ?? MIGRATIONS;
  return pgliteTemplateFile(options).then((file) => {
    let blob = loaded.get(file);
    if (!blob) {
      blob = readOrMake(file, migrations);
      loaded.set(file, blob);
      // A failed attempt is not remembered: the next caller tries again.
      blob.catch(() => loaded.delete(file));
    }
    return blob;
  });
}
