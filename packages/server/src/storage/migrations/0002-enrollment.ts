/**
 * Migration 2: PowerAuth 3.3 enrollment (activation.md "Offcode decisions" 3, server.md §5.1): temporary ECIES
 * keys (private key sealed at rest, bound to an application key and, in activation scope, an activation;
 * expiring) and the ECIES replay store shared by every process on the database.
 */
export const migration0002 = {
  version: 2,
  name: 'enrollment',
  sql: `
CREATE TABLE oc_temporary_key (
  key_id text PRIMARY KEY,
  application_id bigint NOT NULL REFERENCES oc_application (id),
  application_key text NOT NULL,
  activation_id uuid REFERENCES oc_activation (activation_id),
  private_key bytea NOT NULL,
  key_encryption smallint NOT NULL DEFAULT 0,
  public_key bytea NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oc_temporary_key_expiry_idx ON oc_temporary_key (expires_at);

CREATE TABLE oc_ecies_replay (
  digest bytea PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oc_ecies_replay_expiry_idx ON oc_ecies_replay (expires_at);
`,
} as const;
