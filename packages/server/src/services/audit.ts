/** Audit of verifications (server.md §2.5): newest first, never the typed code. */
import { encodeBase64 } from '@offcode/protocol';
import type { ServerContext } from '../context.js';
import { listAudit } from '../repo/queries.js';
import type { ActivationStatusName } from '../repo/rows.js';
import { statusName, toBytes, toNum, toNumOrNull } from '../repo/rows.js';
import { parseRequest } from '../schema/core.js';
import { read, service } from '../transactions.js';
import { requireApplication } from './applications.js';

export interface AuditItem {
  id: number;
  userId: string;
  applicationId: string;
  activationId: string;
  activationCounter: number;
  activationCtrData: string | null;
  activationStatus: ActivationStatusName;
  additionalInfo: Record<string, string>;
  dataBase64: string;
  signatureVersion: null;
  signatureType: string;
  /** Always null: codes are never stored. */
  signature: null;
  note: string;
  valid: boolean;
  version: number | null;
  timestampCreated: string;
  codeDigest: string | null;
  nonce: string | null;
}

export function createAuditService(ctx: ServerContext) {
  return {
    list: (request: unknown): Promise<{ items: AuditItem[] }> =>
      service(async () => {
        const req = parseRequest(ctx.schemas.auditList, request);
        const rows = await read(async () => {
          const applicationId =
            req.applicationId === undefined
              ? undefined
              : (await requireApplication(ctx.storage, req.applicationId)).id;
          return listAudit(ctx.storage, {
            userId: req.userId,
            activationId: req.activationId,
            applicationId,
            from: req.timestampFrom ?? new Date(0),
            to: req.timestampTo,
            limit: req.limit,
            beforeId: req.beforeId,
          });
        });
        return {
          items: rows.map((r) => {
            const ctr = toBytes(r.activation_ctr_data);
            const digest = toBytes(r.code_digest);
            return {
              id: toNum(r.id),
              userId: String(r.user_id),
              applicationId: String(r.app_name),
              activationId: String(r.activation_id),
              activationCounter: toNum(r.activation_counter),
              activationCtrData: ctr ? encodeBase64(ctr) : null,
              activationStatus: statusName(toNum(r.activation_status)),
              additionalInfo: (r.additional_info ?? {}) as Record<string, string>,
              dataBase64: String(r.data_base64),
              signatureVersion: null,
              signatureType: String(r.signature_type),
              signature: null,
              note: String(r.note),
              valid: Boolean(r.valid),
              version: toNumOrNull(r.protocol_version),
              timestampCreated: (r.timestamp_created as Date).toISOString(),
              codeDigest: digest ? encodeBase64(digest) : null,
              nonce: (r.nonce as string | null) ?? null,
            };
          }),
        };
      }),
  };
}
