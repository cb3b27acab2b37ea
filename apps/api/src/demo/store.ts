/** Demo operations kept server-side (server.md §7.2): the browser never sends the nonce or data back. */
import type { TableExecutor } from '@offcode/server';

export type OperationKind = 'personalized' | 'non-personalized';
export type OperationTemplate = 'payment' | 'login';
export type DemoResultName = 'VALID' | 'INVALID' | 'ALREADY_APPROVED' | 'EXPIRED';

export interface DemoResult {
  result: DemoResultName;
  activationStatus: string | null;
  remainingAttempts: number | null;
  blockedReason: string | null;
  matchedType: string | null;
  blockExpiresAt: string | null;
  /** When the server answered (ISO); absent in rows written before it was recorded. */
  verifiedAt?: string;
}

export interface DemoOperation {
  id: string;
  activationId: string;
  userId: string;
  kind: OperationKind;
  template: OperationTemplate;
  protocolVersion: 3 | 4;
  operationId: string;
  operationData: string;
  title: string;
  message: string;
  data: string;
  offlineData: string;
  nonce: string;
  proximitySeed: Uint8Array | null;
  proximitySeedEncryption: number;
  stepLength: number | null;
  allowBiometry: boolean;
  componentLength: number;
  status: 'PENDING' | 'APPROVED';
  lastResult: DemoResult | null;
  createdAt: Date;
  expiresAt: Date | null;
}

const toBytes = (v: unknown): Uint8Array | null =>
  v === null || v === undefined ? null : v instanceof Uint8Array ? new Uint8Array(v) : null;

const toDate = (v: unknown): Date | null =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v));

function mapRow(r: Record<string, unknown>): DemoOperation {
  const lastResult =
    typeof r.last_result === 'string'
      ? (JSON.parse(r.last_result) as DemoResult)
      : ((r.last_result ?? null) as DemoResult | null);
  return {
    id: String(r.id),
    activationId: String(r.activation_id),
    userId: String(r.user_id),
    kind: r.kind as OperationKind,
    template: r.template as OperationTemplate,
    protocolVersion: Number(r.protocol_version) as 3 | 4,
    operationId: String(r.operation_id),
    operationData: String(r.operation_data),
    title: String(r.title),
    message: String(r.message),
    data: String(r.data),
    offlineData: String(r.offline_data),
    nonce: String(r.nonce),
    proximitySeed: toBytes(r.proximity_seed),
    proximitySeedEncryption: Number(r.proximity_seed_encryption),
    stepLength: r.step_length === null || r.step_length === undefined ? null : Number(r.step_length),
    allowBiometry: Boolean(r.allow_biometry),
    componentLength: Number(r.component_length),
    status: r.status as 'PENDING' | 'APPROVED',
    lastResult,
    createdAt: toDate(r.created_at) ?? new Date(0),
    expiresAt: toDate(r.expires_at),
  };
}

export async function insertOperation(db: TableExecutor, op: DemoOperation): Promise<void> {
  await db.query(
    `INSERT INTO oc_demo_operation (id, activation_id, user_id, kind, template, protocol_version, operation_id, operation_data,
       title, message, data, offline_data, nonce, proximity_seed, proximity_seed_encryption, step_length, allow_biometry,
       component_length, status, last_result, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
    [
      op.id,
      op.activationId,
      op.userId,
      op.kind,
      op.template,
      op.protocolVersion,
      op.operationId,
      op.operationData,
      op.title,
      op.message,
      op.data,
      op.offlineData,
      op.nonce,
      op.proximitySeed,
      op.proximitySeedEncryption,
      op.stepLength,
      op.allowBiometry,
      op.componentLength,
      op.status,
      op.lastResult === null ? null : JSON.stringify(op.lastResult),
      op.createdAt,
      op.expiresAt,
    ],
  );
}

export async function findOperation(db: TableExecutor, id: string): Promise<DemoOperation | null> {
  const r = await db.query<Record<string, unknown>>('SELECT * FROM oc_demo_operation WHERE id = $1', [id]);
  return r.rows[0] ? mapRow(r.rows[0]) : null;
}

export async function recordResult(
  db: TableExecutor,
  id: string,
  result: DemoResult,
  approved: boolean,
): Promise<void> {
  await db.query(
    `UPDATE oc_demo_operation SET last_result = $2, status = CASE WHEN $3::boolean THEN 'APPROVED' ELSE status END WHERE id = $1`,
    [id, JSON.stringify(result), approved],
  );
}
