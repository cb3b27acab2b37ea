/**
 * `offcode-api migrate [--print-sql]` (server.md §5.3): for a deploy job, apply the pending migrations of
 * the server and the demo table set and exit (one JSON log line per applied migration: namespace, version,
 * name); with `--print-sql` (or `--dry-run`) print them as one SQL script for a DBA and change nothing.
 * Configuration as for the start (DATABASE_URL or OFFCODE_DATA_DIR); bad options or settings: exit 2.
 */
import { hostname } from 'node:os';
import { type ConfigInput, OffcodeError } from '@offcode/server';
import { openStorageUnmigrated, pendingMigrationScript } from '@offcode/server/internal';
import { API_MIGRATION_SETS, applyMigrations, describeMigration, resolveApiConfig } from './start.js';

export const MIGRATE_USAGE = `usage: offcode-api migrate [--print-sql | --dry-run]
  apply the pending migrations (DATABASE_URL or OFFCODE_DATA_DIR) and exit;
  --print-sql, --dry-run  print the pending SQL (one transaction, with its bookkeeping rows) and change nothing
`;

interface Output {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** One line in the shape of the API's own (pino) log lines. */
const logLine = (msg: string, fields: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, hostname: hostname(), ...fields, msg })}\n`;

function parseMigrateArgs(
  args: readonly string[],
): { printSql: boolean } | { help: true } | { error: string } {
  let printSql = false;
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--print-sql' || arg === '--dry-run') printSql = true;
    else
      return {
        error: `offcode-api migrate: unknown option ${JSON.stringify(arg)} (use --print-sql or --dry-run)`,
      };
  }
  return { printSql };
}

/** Runs the command; resolves with the exit code (0 done, 1 database or migration failure, 2 usage or settings). */
export async function runMigrateCommand(
  args: readonly string[],
  env: ConfigInput,
  out: Output,
): Promise<number> {
  const parsed = parseMigrateArgs(args);
  if ('error' in parsed) {
    out.stderr.write(`${parsed.error}\n`);
    return 2;
  }
  if ('help' in parsed) {
    out.stdout.write(MIGRATE_USAGE);
    return 0;
  }
  const { config, errors } = resolveApiConfig(env);
  if (errors.length > 0) {
    for (const line of errors) out.stderr.write(`${line}\n`);
    return 2;
  }
  try {
    const storage = await openStorageUnmigrated(config);
    try {
      if (parsed.printSql) {
        const { script } = await pendingMigrationScript(storage, API_MIGRATION_SETS);
        out.stdout.write(script ?? '-- Offcode: no pending migrations\n');
        return 0;
      }
      const applied = await applyMigrations(storage);
      for (const m of applied)
        out.stdout.write(logLine(`migration applied: ${describeMigration(m)}`, { ...m }));
      out.stdout.write(
        logLine(`migrations: ${applied.length} applied, none pending`, { applied: applied.length }),
      );
      return 0;
    } finally {
      await storage.close();
    }
  } catch (error) {
    const code = error instanceof OffcodeError ? `${error.code}: ` : '';
    out.stderr.write(
      `offcode-api migrate: ${code}${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}
