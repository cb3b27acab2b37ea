/**
 * Activation list (server.md §2.4 "Activation list"): a user's activations, optionally in one application and
 * with given statuses, newest first, in pages of at most 500. Reads only; never returns key material or
 * activation codes. A temporary block past its expiry shows BLOCKED until the sweep or a status call lifts it.
 */
import type { ProtocolVersion } from '@offcode/protocol';
import type { ServerContext } from '../context.js';
import {
  ActivationStatus,
  type ActivationStatusName,
  statusName,
  toDate,
  toNumOrNull,
} from '../repo/rows.js';
import { type Infer, object, optional, parseRequest, required, withDefault } from '../schema/core.js';
import { arrayOf, enumOf, int, name } from '../schema/fields.js';
import { read, service } from '../transactions.js';
import { iso } from './activations.js';
import { requireApplication } from './applications.js';

export const ACTIVATION_LIST_MAX_PAGE_SIZE = 500;
const MAX_PAGE_NUMBER = 100_000;
const STATUS_NAMES = Object.keys(ActivationStatus) as ActivationStatusName[];

/** The request of `activations.list` (validated like every service request). */
export const activationListSchema = object({
  userId: required(name(), 'the user whose activations are listed'),
  applicationId: optional(name(), { description: 'only activations of this application' }),
  activationStatuses: optional(arrayOf(enumOf(STATUS_NAMES), STATUS_NAMES.length), {
    description: 'only activations in one of these statuses (default: all)',
  }),
  pageNumber: withDefault(int(0, MAX_PAGE_NUMBER), 0, 'page index, from 0'),
  pageSize: withDefault(int(1, ACTIVATION_LIST_MAX_PAGE_SIZE), 100, 'activations per page'),
});

export type ActivationListRequest = Infer<typeof activationListSchema>;

export interface ActivationListItem {
  activationId: string;
  activationStatus: ActivationStatusName;
  blockedReason: string | null;
  activationName: string | null;
  activationFlags: string[];
  userId: string;
  applicationId: string;
  /** Null while CREATED (no key exchange yet). */
  protocolVersion: ProtocolVersion | null;
  timestampCreated: string;
  timestampLastUsed: string | null;
  timestampLastChange: string | null;
  blockExpiresAt: string | null;
}

export interface ActivationListResponse {
  userId: string;
  pageNumber: number;
  pageSize: number;
  activations: ActivationListItem[];
}

function mapItem(r: Record<string, unknown>): ActivationListItem {
  const status = statusName(Number(r.activation_status));
  return {
    activationId: String(r.activation_id),
    activationStatus: status,
    blockedReason: status === 'BLOCKED' ? ((r.blocked_reason as string | null) ?? null) : null,
    activationName: (r.activation_name as string | null) ?? null,
    activationFlags: Array.isArray(r.flags) ? r.flags.map(String) : [],
    userId: String(r.user_id),
    applicationId: String(r.app_name),
    protocolVersion: toNumOrNull(r.protocol_version) as ProtocolVersion | null,
    timestampCreated: iso(toDate(r.timestamp_created)) ?? '',
    timestampLastUsed: iso(toDate(r.timestamp_last_used)),
    timestampLastChange: iso(toDate(r.timestamp_last_change)),
    blockExpiresAt: iso(toDate(r.block_expires_at)),
  };
}

/** `activations.list(request)`: ERR0024 naming the field for bad input, ERR0015 for an unknown application. */
export function createActivationList(ctx: ServerContext) {
  return (request: unknown): Promise<ActivationListResponse> =>
    service(async () => {
      const req = parseRequest(activationListSchema, request);
      const rows = await read(async () => {
        const params: unknown[] = [req.userId];
        let where = 'a.user_id = $1';
        if (req.applicationId !== undefined) {
          params.push((await requireApplication(ctx.storage, req.applicationId)).id);
          where += ` AND a.application_id = $${params.length}`;
        }
        if (req.activationStatuses !== undefined) {
          const codes = [...new Set(req.activationStatuses)].map((s) => ActivationStatus[s]);
          if (codes.length === 0) return [];
          params.push(codes.join(','));
          where += ` AND a.activation_status = ANY (string_to_array($${params.length}, ',')::smallint[])`;
        }
        params.push(req.pageSize, req.pageNumber * req.pageSize);
        const r = await ctx.storage.query<Record<string, unknown>>(
          `SELECT a.activation_id, a.activation_status, a.blocked_reason, a.activation_name, a.flags, a.user_id,
                  app.name AS app_name, a.protocol_version, a.timestamp_created, a.timestamp_last_used,
                  a.timestamp_last_change, a.block_expires_at
             FROM oc_activation a JOIN oc_application app ON app.id = a.application_id
            WHERE ${where}
            ORDER BY a.timestamp_created DESC, a.activation_id DESC
            LIMIT $${params.length - 1} OFFSET $${params.length}`,
          params,
        );
        return r.rows;
      });
      return {
        userId: req.userId,
        pageNumber: req.pageNumber,
        pageSize: req.pageSize,
        activations: rows.map(mapItem),
      };
    });
}
