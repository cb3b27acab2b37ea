// The migrated PGlite template of the test suites (server.md §5.6): one file per PGlite version and migration
// list, written atomically and read back; a database loaded from it is the same as a fresh one, and openStorage's
// runner still applies what the template lacks and checks the checksums of what it holds.
import { promises as fs, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, MigrationError, pendingMigrations } from './migrate.js';
import { openStorage } from './open.js';
import { openPgliteStorage } from './pglite.js';
import { pgliteTemplate, pgliteTemplateFile } from './pglite-template.js';
import type { Storage } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'oc-template-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const memory = { databaseUrl: null, dataDir: 'memory://', dbPoolMax: 1 } as const;

/** Every column of the public schema, and the applied migrations: what "the same database" means here. */
async function shape(storage: Storage): Promise<{ columns: string[]; applied: string[] }> {
  const columns = await storage.query<{ c: string }>(
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS c
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`,
  );
  const applied = await storage.query<{ m: string }>(
    `SELECT namespace || '/' || version || ' ' || name || ' ' || checksum AS m FROM oc_schema_migrations ORDER BY 1`,
  );
  return { columns: columns.rows.map((r) => r.c), applied: applied.rows.map((r) => r.m) };
}

async function withStorage<T>(storage: Storage, fn: (s: Storage) => Promise<T>): Promise<T> {
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

describe('pgliteTemplate', () => {
  // The reference: a memory:// database made by initdb and the runner (the product path, no dump).
  let fresh: Awaited<ReturnType<typeof shape>>;
  beforeAll(async () => {
    fresh = await withStorage(await openStorage({ ...memory, autoMigrate: true }), shape);
  });

  it('writes one file named by the migrations, reads it back, and loads into the same database as initdb', async () => {
    const directory = join(root, 'a');
    await fs.mkdir(directory);
    const dump = await pgliteTemplate({ directory });
    const file = await pgliteTemplateFile({ directory });
    expect(await fs.readdir(directory)).toEqual([basename(file)]); // no temporary file left behind
    expect(statSync(file).size).toBe(dump.size);

    // Another directory holding that file: read, not made again (the file is not replaced).
    const other = join(root, 'b');
    await fs.mkdir(other);
    const copy = join(other, basename(file));
    await fs.copyFile(file, copy);
    const before = statSync(copy);
    const read = await pgliteTemplate({ directory: other });
    expect(read.size).toBe(dump.size);
    expect(statSync(copy).ino).toBe(before.ino);
    expect(statSync(copy).mtimeMs).toBe(before.mtimeMs);

    const loaded = await withStorage(
      await openStorage({ ...memory, autoMigrate: false }, { pgliteDump: read }),
      async (s) => {
        expect(await pendingMigrations(s)).toEqual([]);
        return shape(s);
      },
    );
    expect(loaded).toEqual(fresh);
    expect(loaded.applied).toHaveLength(MIGRATIONS.length);
  });

  it('a template made before a migration gets it from autoMigrate (and refuses to start without)', async () => {
    const directory = join(root, 'old');
    await fs.mkdir(directory);
    const older = { directory, migrations: MIGRATIONS.slice(0, -1) };
    expect(await pgliteTemplateFile(older)).not.toBe(await pgliteTemplateFile({ directory }));
    const dump = await pgliteTemplate(older);
    const last = MIGRATIONS[MIGRATIONS.length - 1]!;

    await expect(openStorage({ ...memory, autoMigrate: false }, { pgliteDump: dump })).rejects.toThrow(
      new RegExp(`pending migrations ${last.version}\\b`),
    );
    const upgraded = await withStorage(
      await openStorage({ ...memory, autoMigrate: true }, { pgliteDump: dump }),
      async (s) => {
        expect(await pendingMigrations(s)).toEqual([]);
        return shape(s);
      },
    );
    expect(upgraded.columns).toEqual(fresh.columns);
    expect(upgraded.applied.map((m) => m.split(' ').slice(0, 3).join(' '))).toEqual(
      fresh.applied.map((m) => m.split(' ').slice(0, 3).join(' ')),
    );
  });

  it('a template whose applied migration differs (checksum) stops the start', async () => {
    const directory = join(root, 'changed');
    await fs.mkdir(directory);
    const [first, ...rest] = MIGRATIONS;
    const changed = [{ ...first!, sql: `${first!.sql}\n-- edited after release\n` }, ...rest];
    const dump = await pgliteTemplate({ directory, migrations: changed });
    const error = await openStorage({ ...memory, autoMigrate: true }, { pgliteDump: dump }).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(String(error.message)).toMatch(/server\/1 .*checksum mismatch/);
  });

  it('loads only into memory://, never over a data directory', async () => {
    const dump = await pgliteTemplate({ directory: join(root, 'a') });
    const dir = join(root, 'data');
    await expect(openPgliteStorage({ dataDir: dir, loadDataDir: dump })).rejects.toThrow(
      `a PGlite dump can only be loaded into memory://, not ${dir}`,
    );
    await expect(fs.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
