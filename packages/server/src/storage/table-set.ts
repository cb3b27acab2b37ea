/**
 * Table sets (server.md §5.7): tables that another owner (apps/api's demo, an integrator) keeps in the server's
 * database, with their own migration namespace, reached only through `server.tables(namespace)`. A set
 * declares its tables and its sealed columns; the runner migrates it, the server checks and re-seals its
 * sealed columns with the at-rest keys, and a scope guard keeps its statements off every other table.
 *
 * The guard is a seatbelt against mistakes, not a sandbox: it refuses any statement (and any migration of the
 * set) naming a table of the server or of another set, by a scan of the statement's words.
 */
import { OffcodeBaseError } from '@offcode/errors';
import {
  checkMigrationSets,
  MIGRATIONS,
  type Migration,
  MigrationError,
  type MigrationSet,
  SERVER_NAMESPACE,
} from './migrate.js';

/** A sealed column: bytea envelope (server.md §5.2) plus its own smallint flag (0 plain, 1 AES-256-GCM). */
export interface SealedColumnDefinition {
  readonly column: string;
  readonly encryptionColumn: string;
}

export interface OwnedTableDefinition {
  readonly name: string;
  /** Primary-key column (one column): the row identity in the AAD of its sealed values. */
  readonly key: string;
  /** Column ordering rows by age (start-up check of the newest sealed value); default `key`. */
  readonly newest?: string;
  readonly sealed?: readonly SealedColumnDefinition[];
}

export interface TableSetDefinition extends MigrationSet {
  readonly tables: readonly OwnedTableDefinition[];
}

/** A validated table set (from `defineTableSet`). */
export interface TableSet extends TableSetDefinition {
  /** `table.column` of every sealed column: the purposes `seal`/`open` accept. */
  readonly purposes: readonly string[];
}

/** A statement or migration of a table set named a table outside the set, or a set is malformed. */
export class TableScopeError extends OffcodeBaseError {
  override readonly name = 'TableScopeError';

  constructor(message: string) {
    super('internal', 'TABLE_SCOPE', message);
  }
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const WORDS = /[a-z_][a-z0-9_$]*/g;
const CREATED_TABLES = /create\s+table\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)/g;

const tablesCreatedBy = (migrations: readonly Migration[]): string[] =>
  migrations.flatMap((m) => [...m.sql.toLowerCase().matchAll(CREATED_TABLES)].map((x) => x[1] as string));

/** Every table of the server package (from its own migrations) plus the bookkeeping table. */
export const SERVER_TABLES: ReadonlySet<string> = new Set([
  'oc_schema_migrations',
  ...tablesCreatedBy(MIGRATIONS),
]);

/** The words of a statement that are tables outside `own` (lower-cased scan, strings and comments included). */
export function foreignTables(sql: string, forbidden: ReadonlySet<string>): string[] {
  const hits = new Set<string>();
  for (const [word] of sql.toLowerCase().matchAll(WORDS)) if (forbidden.has(word)) hits.add(word);
  return [...hits];
}

function checkIdent(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !IDENT.test(value)) {
    throw new TableScopeError(`${what} ${JSON.stringify(value)} must match ${IDENT}`);
  }
}

function checkTable(namespace: string, t: OwnedTableDefinition): string[] {
  checkIdent(`table of ${namespace}`, t.name);
  if (SERVER_TABLES.has(t.name)) {
    throw new TableScopeError(`table ${t.name} of ${namespace} is a table of the server`);
  }
  checkIdent(`key of ${t.name}`, t.key);
  if (t.newest !== undefined) checkIdent(`newest of ${t.name}`, t.newest);
  return (t.sealed ?? []).map((s) => {
    checkIdent(`sealed column of ${t.name}`, s.column);
    checkIdent(`encryption column of ${t.name}`, s.encryptionColumn);
    return `${t.name}.${s.column}`;
  });
}

/**
 * Validates a table set: namespace and versions as the runner wants them, table and column names, no table
 * of the server, and migrations that create only the set's tables and name no server table.
 */
export function defineTableSet(definition: TableSetDefinition): TableSet {
  checkMigrationSets([definition]);
  const { namespace } = definition;
  if (namespace === SERVER_NAMESPACE) throw new TableScopeError(`namespace ${namespace} is the server's`);
  if (definition.tables.length === 0) throw new TableScopeError(`table set ${namespace} declares no table`);
  const names = new Set(definition.tables.map((t) => t.name));
  if (names.size !== definition.tables.length) {
    throw new TableScopeError(`table set ${namespace} declares a table twice`);
  }
  const purposes = definition.tables.flatMap((t) => checkTable(namespace, t));
  for (const m of definition.migrations) {
    const created = tablesCreatedBy([m]).filter((t) => !names.has(t));
    const foreign = foreignTables(m.sql, SERVER_TABLES);
    if (created.length > 0 || foreign.length > 0) {
      throw new MigrationError(
        `migration ${namespace}/${m.version} (${m.name}) touches tables outside its set: ${[...created, ...foreign].join(', ')}`,
      );
    }
  }
  return Object.freeze({ ...definition, purposes: Object.freeze(purposes) });
}

/** Checks that the sets do not share a table; returns, per namespace, the tables its statements may not name. */
export function forbiddenTablesBySet(sets: readonly TableSet[]): Map<string, ReadonlySet<string>> {
  const owner = new Map<string, string>();
  for (const set of sets) {
    for (const t of set.tables) {
      const other = owner.get(t.name);
      if (other !== undefined) {
        throw new TableScopeError(`table ${t.name} is declared by both ${other} and ${set.namespace}`);
      }
      owner.set(t.name, set.namespace);
    }
  }
  const out = new Map<string, ReadonlySet<string>>();
  for (const set of sets) {
    const others = [...owner].filter(([, ns]) => ns !== set.namespace).map(([name]) => name);
    out.set(set.namespace, new Set([...SERVER_TABLES, ...others]));
  }
  return out;
}
