import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MigrationError } from './migrate.js';
import {
  defineTableSet,
  forbiddenTablesBySet,
  foreignTables,
  SERVER_TABLES,
  TableScopeError,
  type TableSetDefinition,
} from './table-set.js';

const ok: TableSetDefinition = {
  namespace: 'shop',
  tables: [
    {
      name: 'shop_order',
      key: 'id',
      newest: 'created_at',
      sealed: [{ column: 'card', encryptionColumn: 'card_encryption' }],
    },
  ],
  migrations: [
    {
      version: 1,
      name: 'order',
      sql: 'CREATE TABLE shop_order (id uuid PRIMARY KEY, card bytea, card_encryption smallint NOT NULL DEFAULT 0, created_at timestamptz NOT NULL);\nCREATE INDEX shop_order_created_idx ON shop_order (created_at);',
    },
  ],
};

describe('defineTableSet', () => {
  it('accepts a well-formed set and lists its sealed columns as purposes', () => {
    const set = defineTableSet(ok);
    expect(set.purposes).toEqual(['shop_order.card']);
    expect(Object.isFrozen(set)).toBe(true);
  });

  it('knows the server tables from the server migrations', () => {
    for (const t of ['oc_application', 'oc_activation', 'oc_master_keypair', 'oc_offline_payload']) {
      expect(SERVER_TABLES.has(t)).toBe(true);
    }
    expect(SERVER_TABLES.has('oc_schema_migrations')).toBe(true);
  });

  it.each([
    ['the server namespace', { ...ok, namespace: 'server' }, TableScopeError],
    ['a bad namespace', { ...ok, namespace: 'Shop!' }, MigrationError],
    ['no table', { ...ok, tables: [] }, TableScopeError],
    ['a server table', { ...ok, tables: [{ name: 'oc_activation', key: 'activation_id' }] }, TableScopeError],
    ['a table twice', { ...ok, tables: [ok.tables[0]!, ok.tables[0]!] }, TableScopeError],
    ['a bad table name', { ...ok, tables: [{ name: 'shop-order', key: 'id' }] }, TableScopeError],
    ['a bad key column', { ...ok, tables: [{ name: 'shop_order', key: 'id; drop' }] }, TableScopeError],
    [
      'a bad sealed column',
      {
        ...ok,
        tables: [{ name: 'shop_order', key: 'id', sealed: [{ column: 'x y', encryptionColumn: 'e' }] }],
      },
      TableScopeError,
    ],
    [
      'a migration creating an undeclared table',
      { ...ok, migrations: [{ version: 1, name: 'x', sql: 'CREATE TABLE IF NOT EXISTS other_t (id int)' }] },
      MigrationError,
    ],
    [
      'a migration naming a server table',
      {
        ...ok,
        migrations: [
          { version: 1, name: 'x', sql: 'CREATE TABLE shop_order AS SELECT * FROM OC_ACTIVATION' },
        ],
      },
      MigrationError,
    ],
  ])('refuses %s', (_label, definition, type) => {
    expect(() => defineTableSet(definition as TableSetDefinition)).toThrow(type);
  });

  it('refuses two sets declaring the same table, and forbids each set the tables of the others', () => {
    const a = defineTableSet(ok);
    const b = defineTableSet({ ...ok, namespace: 'other' });
    expect(() => forbiddenTablesBySet([a, b])).toThrow(TableScopeError);
    const c = defineTableSet({
      namespace: 'other',
      tables: [{ name: 'other_t', key: 'id' }],
      migrations: [{ version: 1, name: 'x', sql: 'CREATE TABLE other_t (id int PRIMARY KEY)' }],
    });
    const forbidden = forbiddenTablesBySet([a, c]);
    expect(forbidden.get('shop')?.has('other_t')).toBe(true);
    expect(forbidden.get('shop')?.has('shop_order')).toBe(false);
    expect(forbidden.get('other')?.has('shop_order')).toBe(true);
    expect(forbidden.get('other')?.has('oc_activation')).toBe(true);
  });
});

describe('foreignTables (the scope guard scan)', () => {
  const forbidden = new Set(['oc_activation', 'oc_application']);
  const word = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/).filter((w) => !forbidden.has(w));
  const sep = fc.constantFrom(' ', '\n', ', ', '(', ')', '.', '"', "'", ' = $1 ', '--', '/*', ';');

  it('property: a statement of other words passes; any spelling of a forbidden table is found', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(word, sep), { maxLength: 20 }),
        fc.constantFrom(...forbidden),
        fc.nat(20),
        fc.boolean(),
        (parts, table, at, upper) => {
          const clean = parts.map(([w, s]) => w + s);
          expect(foreignTables(clean.join(''), forbidden)).toEqual([]);
          const spelled = upper ? table.toUpperCase() : table;
          clean.splice(Math.min(at, clean.length), 0, ` ${spelled} `);
          expect(foreignTables(clean.join(''), forbidden)).toEqual([table]);
        },
      ),
    );
  });

  it('does not take a longer name for a forbidden one', () => {
    expect(foreignTables('SELECT * FROM oc_activation_x JOIN x_oc_activation USING (id)', forbidden)).toEqual(
      [],
    );
    expect(foreignTables('SELECT * FROM "oc_activation"', forbidden)).toEqual(['oc_activation']);
    expect(foreignTables('SELECT * FROM public.oc_application', forbidden)).toEqual(['oc_application']);
  });
});
