/** Migration 1: the tables of server.md §5.1. Plain SQL, no extensions, no PL/pgSQL (PGlite and PostgreSQL ≥ 14). */
export const migration0001 = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE oc_application (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  roles jsonb NOT NULL DEFAULT '[]',
  commit_on_key_exchange boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL
);

CREATE TABLE oc_application_version (
  id bigserial PRIMARY KEY,
  application_id bigint NOT NULL REFERENCES oc_application (id),
  name text NOT NULL,
  application_key text NOT NULL UNIQUE,
  application_secret text NOT NULL,
  supported boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  CONSTRAINT oc_application_version_name_uq UNIQUE (application_id, name)
);

CREATE TABLE oc_master_keypair (
  id bigserial PRIMARY KEY,
  application_id bigint NOT NULL REFERENCES oc_application (id),
  algorithm text NOT NULL CHECK (algorithm IN ('EC_P256', 'EC_P384')),
  private_key bytea NOT NULL,
  private_key_encryption smallint NOT NULL DEFAULT 0,
  public_key bytea NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX oc_master_keypair_app_idx ON oc_master_keypair (application_id, algorithm, id DESC);

CREATE TABLE oc_activation (
  activation_id uuid PRIMARY KEY,
  application_id bigint NOT NULL REFERENCES oc_application (id),
  user_id text NOT NULL,
  activation_code text UNIQUE,
  activation_signature_p256 text,
  activation_signature_p384 text,
  activation_status smallint NOT NULL CHECK (activation_status BETWEEN 1 AND 5),
  blocked_reason text,
  commit_phase text NOT NULL CHECK (commit_phase IN ('ON_COMMIT', 'ON_KEY_EXCHANGE')),
  protocol_version smallint CHECK (protocol_version IN (3, 4)),
  activation_name text,
  flags jsonb NOT NULL DEFAULT '[]',
  device_public_key bytea,
  server_public_key bytea,
  server_private_key bytea,
  activation_secret bytea,
  key_encryption smallint NOT NULL DEFAULT 0,
  biometry_enabled boolean NOT NULL DEFAULT true,
  counter bigint NOT NULL DEFAULT 0,
  ctr_data bytea,
  failed_attempts integer NOT NULL DEFAULT 0,
  max_failed_attempts integer NOT NULL,
  temporary_block_count integer NOT NULL DEFAULT 0,
  block_expires_at timestamptz,
  timestamp_created timestamptz NOT NULL,
  timestamp_activation_expire timestamptz NOT NULL,
  timestamp_last_used timestamptz,
  timestamp_last_change timestamptz
);
CREATE INDEX oc_activation_user_idx ON oc_activation (user_id, application_id);
CREATE INDEX oc_activation_block_expiry_idx ON oc_activation (block_expires_at) WHERE activation_status = 4;

CREATE TABLE oc_activation_history (
  id bigserial PRIMARY KEY,
  activation_id uuid NOT NULL REFERENCES oc_activation (activation_id),
  activation_status smallint NOT NULL,
  event_reason text,
  external_user_id text,
  timestamp_created timestamptz NOT NULL
);
CREATE INDEX oc_activation_history_activation_idx ON oc_activation_history (activation_id, id);

CREATE TABLE oc_auth_audit (
  id bigserial PRIMARY KEY,
  activation_id uuid NOT NULL REFERENCES oc_activation (activation_id),
  user_id text NOT NULL,
  application_id bigint NOT NULL REFERENCES oc_application (id),
  protocol_version smallint,
  activation_counter bigint NOT NULL,
  activation_ctr_data bytea,
  activation_status smallint NOT NULL,
  additional_info jsonb NOT NULL DEFAULT '{}',
  data_base64 text NOT NULL,
  nonce text,
  code_digest bytea,
  signature_type text NOT NULL,
  valid boolean NOT NULL,
  note text NOT NULL,
  timestamp_created timestamptz NOT NULL
);
CREATE INDEX oc_auth_audit_activation_idx ON oc_auth_audit (activation_id, id DESC);
CREATE INDEX oc_auth_audit_user_idx ON oc_auth_audit (user_id, timestamp_created);

CREATE TABLE oc_offline_payload (
  id bigserial PRIMARY KEY,
  nonce text NOT NULL,
  application_id bigint NOT NULL REFERENCES oc_application (id),
  activation_id uuid,
  protocol_version smallint NOT NULL,
  key_type char(1) NOT NULL,
  data_sha256 bytea NOT NULL,
  body_sha256 bytea,
  proximity boolean NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz,
  consumed_audit_id bigint,
  CONSTRAINT oc_offline_payload_nonce_uq UNIQUE (application_id, nonce)
);
CREATE INDEX oc_offline_payload_expiry_idx ON oc_offline_payload (expires_at);
`,
} as const;
