/**
 * The demo's table (server.md §5.1, §7.2: `oc_demo_operation`) as a table set of `@offcode/server`
 * (server.md §5.7): migrated by the server's one runner in the namespace `demo`, reached only through
 * `offcode.tables('demo')`, its proximity seed a sealed column (start-up key check, `maintenance.reseal()`).
 * `IF NOT EXISTS`: a database of 0.1 already has the table (created by apps/api's former own runner, which
 * recorded it in `oc_api_schema_migrations`; that table is left as it is and no longer read).
 */
import { defineTableSet } from '@offcode/server';

export const DEMO_NAMESPACE = 'demo';
/** The purpose (AAD) of the sealed proximity seeds: `offcode:v1|oc_demo_operation.proximity_seed|{id}`. */
export const PROXIMITY_SEED = 'oc_demo_operation.proximity_seed';

export const DEMO_TABLES = defineTableSet({
  namespace: DEMO_NAMESPACE,
  tables: [
    {
      name: 'oc_demo_operation',
      key: 'id',
      newest: 'created_at',
      sealed: [{ column: 'proximity_seed', encryptionColumn: 'proximity_seed_encryption' }],
    },
  ],
  migrations: [
    {
      version: 1,
      name: 'demo-operation',
      sql: `
CREATE TABLE IF NOT EXISTS oc_demo_operation (
  id uuid PRIMARY KEY,
  activation_id uuid NOT NULL,
  user_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('personalized', 'non-personalized')),
  template text NOT NULL CHECK (template IN ('payment', 'login')),
  protocol_version smallint NOT NULL CHECK (protocol_version IN (3, 4)),
  operation_id text NOT NULL,
  operation_data text NOT NULL,
  title text NOT NULL,
  message text NOT NULL,
  data text NOT NULL,
  offline_data text NOT NULL,
  nonce text NOT NULL,
  proximity_seed bytea,
  proximity_seed_encryption smallint NOT NULL DEFAULT 0,
  step_length integer,
  allow_biometry boolean NOT NULL,
  component_length smallint NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'APPROVED')),
  last_result jsonb,
  created_at timestamptz NOT NULL,
  expires_at timestamptz
);
CREATE INDEX IF NOT EXISTS oc_demo_operation_created_idx ON oc_demo_operation (created_at);
`,
    },
  ],
});
