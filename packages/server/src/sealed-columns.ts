/**
 * Every sealed column of the database (server.md §5.2, §5.7): the server's own and those of the registered
 * table sets, each with the AAD that binds its values to their row. Re-sealing after a key rotation and the
 * start-up key check walk this list; a new sealed column of the server is one more entry here.
 */
import { encodeBase64 } from '@offcode/protocol';
import { aad } from './at-rest.js';
import type { TableSet } from './storage/table-set.js';

/** Columns of one table that share one encryption flag column. */
export interface SealedGroup {
  /** Table, always aliased `t` in the statements. */
  readonly table: string;
  /** FROM clause (the table as `t`, with any joins the AAD needs). */
  readonly from: string;
  readonly key: string;
  readonly encryption: string;
  readonly columns: readonly string[];
  /** Extra SELECT list for the AAD (over `t` and the joins). */
  readonly extra: string;
  /** Orders rows by age for the start-up check (newest first). */
  readonly newest: string;
  aad(column: string, row: Record<string, unknown>): string;
}

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(0));

/** The server's sealed columns. */
export const SERVER_SEALED_GROUPS: readonly SealedGroup[] = [
  {
    table: 'oc_master_keypair',
    from: 'oc_master_keypair t JOIN oc_application a ON a.id = t.application_id',
    key: 'id',
    encryption: 'private_key_encryption',
    columns: ['private_key'],
    extra: 'a.name AS app_name, t.algorithm AS algorithm, t.public_key AS public_key',
    newest: 'id',
    aad: (_column, row) =>
      aad.masterPrivateKey(String(row.app_name), String(row.algorithm), encodeBase64(bytes(row.public_key))),
  },
  {
    table: 'oc_activation',
    from: 'oc_activation t',
    key: 'activation_id',
    encryption: 'key_encryption',
    columns: ['server_private_key', 'activation_secret'],
    extra: 't.protocol_version AS protocol_version',
    newest: 'timestamp_created',
    aad: (column, row) =>
      column === 'server_private_key'
        ? aad.serverPrivateKey(String(row.k), Number(row.protocol_version))
        : aad.activationSecret(String(row.k), Number(row.protocol_version)),
  },
  {
    table: 'oc_temporary_key',
    from: 'oc_temporary_key t',
    key: 'key_id',
    encryption: 'key_encryption',
    columns: ['private_key'],
    extra: 't.application_key AS application_key, t.activation_id AS activation_id',
    newest: 'created_at',
    aad: (_column, row) =>
      aad.temporaryPrivateKey(
        String(row.k),
        String(row.application_key),
        row.activation_id === null || row.activation_id === undefined ? null : String(row.activation_id),
      ),
  },
];

/** The sealed columns of a table set, one group per column (each has its own flag column). */
export function tableSetSealedGroups(set: TableSet): SealedGroup[] {
  return set.tables.flatMap((t) =>
    (t.sealed ?? []).map((s) => ({
      table: t.name,
      from: `${t.name} t`,
      key: t.key,
      encryption: s.encryptionColumn,
      columns: [s.column],
      extra: '',
      newest: t.newest ?? t.key,
      aad: (column: string, row: Record<string, unknown>) =>
        aad.tableSetColumn(`${t.name}.${column}`, String(row.k)),
    })),
  );
}

/** `SELECT` list of a group: key `k`, flag `e`, the sealed columns, the AAD extras. */
export const selectList = (g: SealedGroup): string =>
  [`t.${g.key} AS k`, `t.${g.encryption} AS e`, ...g.columns.map((c) => `t.${c} AS ${c}`), g.extra]
    .filter(Boolean)
    .join(', ');
