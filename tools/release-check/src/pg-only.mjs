// Runs inside the scratch project before PGlite is installed: @offcode/server loads without it, storage on
// PostgreSQL (DATABASE_URL) opens and migrates, and the embedded database fails with one line naming the
// package to install. Prints one JSON line; exit 1 when a check failed.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const failures = [];
const server = await import('@offcode/server');
try {
  createRequire(join(here, 'package.json')).resolve('@electric-sql/pglite');
  failures.push('@electric-sql/pglite is installed: the scratch project must not have it');
} catch {}

let pgliteError = null;
try {
  await server.openStorage({ databaseUrl: null, dataDir: 'memory://', dbPoolMax: 1, autoMigrate: true });
  failures.push('the embedded database opened without @electric-sql/pglite');
} catch (error) {
  pgliteError = { name: error.name, code: error.code, message: error.message };
}

const url = process.env.DATABASE_URL;
const schema = `offcode_release_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: url });
let tables = 0;
await admin.connect();
try {
  await admin.query(`CREATE SCHEMA ${schema}`);
  const storage = await server.openStorage(
    { databaseUrl: url, dataDir: 'memory://', dbPoolMax: 2, autoMigrate: true },
    { schema },
  );
  if (storage.kind !== 'postgresql') failures.push(`storage kind ${storage.kind}`);
  const found = await storage.query('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [
    schema,
  ]);
  tables = found.rows[0].n;
  if (tables < 3) failures.push(`only ${tables} tables after migrations`);
  await storage.close();
} catch (error) {
  failures.push(`PostgreSQL storage: ${error.message}`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}
process.stdout.write(`${JSON.stringify({ pgliteError, tables, failures })}\n`);
process.exit(failures.length === 0 ? 0 : 1);
