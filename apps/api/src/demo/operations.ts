/**
 * The demo's operation flow (server.md §7.2): build the payment/login data block, create the payload through
 * the in-process services, keep everything server-side, rebuild the normalized data and verify the code as
 * the user typed it (`offline.verifyTyped`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { OffcodeBaseError } from '@offcode/errors';
import {
  buildOfflineBody,
  buildOperationData,
  buildPayloadData,
  buildRequestData,
  encodeBase64,
  isValidName,
  PayloadFormatError,
  paymentOperationData,
} from '@offcode/protocol';
import { OffcodeError, type OffcodeServer } from '@offcode/server';
import { DEMO_NAMESPACE, PROXIMITY_SEED } from './migrations.js';
import {
  type DemoOperation,
  type DemoResult,
  findOperation,
  insertOperation,
  type OperationKind,
  type OperationTemplate,
  recordResult,
} from './store.js';

/** Proximity TOTP step of demo operations, and the past steps the verifier also accepts. */
export const DEMO_STEP_LENGTH = 30;
export const DEMO_STEP_COUNT = 2;

export interface OperationForm {
  userId: string;
  kind: OperationKind;
  template: OperationTemplate;
  amount: string;
  currency: string;
  iban: string;
  note: string;
  allowBiometry: boolean;
  proximity: boolean;
}

/** A problem the user can fix in the form (shown in `error`, nothing was created). */
export class DemoInputError extends OffcodeBaseError {
  override readonly name = 'DemoInputError';

  constructor(message: string) {
    super('input', 'DEMO_INPUT', message);
  }
}

/** The user's newest ACTIVE activation in the application (the server's activation list), or null. */
async function newestActiveActivation(
  offcode: OffcodeServer,
  application: string,
  userId: string,
): Promise<{ activationId: string; protocolVersion: 3 | 4 } | null> {
  const { activations } = await offcode.activations.list({
    userId,
    applicationId: application,
    activationStatuses: ['ACTIVE'],
    pageSize: 1,
  });
  const found = activations[0];
  if (!found || found.protocolVersion === null) return null;
  return { activationId: found.activationId, protocolVersion: found.protocolVersion };
}

/** Title, message and OPERATION_DATA of the form (payment: template 1; login: template 2). */
function operationTexts(form: OperationForm): { title: string; message: string; operationData: string } {
  try {
    if (form.template === 'login') {
      const note = form.note.trim();
      return {
        title: 'Login',
        message: 'Confirm the login into the demo internet banking.',
        operationData: buildOperationData({
          version: 'A',
          templateId: 2,
          set: note ? [{ position: 1, field: { type: 'note', text: note } }] : [],
        }),
      };
    }
    const amount = form.amount.trim();
    const currency = form.currency.trim().toUpperCase();
    const iban = form.iban.replace(/\s+/g, '').toUpperCase();
    const note = form.note.trim();
    return {
      title: 'Payment',
      message: `Pay ${amount} ${currency} to ${iban}`,
      operationData: paymentOperationData({ amount, currency, iban, ...(note ? { note } : {}) }),
    };
  } catch (error) {
    if (error instanceof PayloadFormatError) throw new DemoInputError(error.message);
    throw error;
  }
}

/** The verify request of an operation: normalized data rebuilt server-side, the proximity seed opened. */
function verifyRequest(tables: DemoTables, op: DemoOperation, typed: string) {
  const data = buildRequestData({
    nonce: op.nonce,
    body: buildOfflineBody({ operationId: op.operationId, operationData: op.operationData }),
  });
  let seedB64: string | null = null;
  if (op.proximitySeed) {
    const seed = tables.open(PROXIMITY_SEED, op.id, op.proximitySeed, op.proximitySeedEncryption);
    seedB64 = encodeBase64(seed);
    seed.fill(0);
  }
  const request = {
    activationId: op.activationId,
    data,
    componentLength: op.componentLength,
    allowBiometry: op.allowBiometry,
    ...(seedB64
      ? { proximityCheck: { seed: seedB64, stepLength: op.stepLength, stepCount: DEMO_STEP_COUNT } }
      : {}),
    typedCode: typed,
  };
  return request;
}

export function createDemoOperations(offcode: OffcodeServer, application: string) {
  const config = offcode.config;
  // The demo's table and its sealed seeds, through the server (server.md §5.7): no storage of its own.
  const tables = offcode.tables(DEMO_NAMESPACE);

  return {
    /** Creates and stores an operation for the user's newest ACTIVE activation; returns its id. */
    async create(form: OperationForm): Promise<DemoOperation> {
      const userId = form.userId.trim();
      if (!isValidName(userId)) throw new DemoInputError('enter a user ID');
      const activation = await newestActiveActivation(offcode, application, userId);
      if (!activation) {
        throw new DemoInputError(
          `user "${userId}" has no active token in ${application}: enrol a token first`,
        );
      }
      const texts = operationTexts(form);
      const id = randomUUID();
      const operationId = randomUUID();
      let data: string;
      try {
        data = buildPayloadData({
          operationId,
          title: texts.title,
          message: texts.message,
          operationData: texts.operationData,
          flags: { biometricsAllowed: form.allowBiometry },
        });
      } catch (error) {
        if (error instanceof PayloadFormatError) throw new DemoInputError(error.message);
        throw error;
      }
      const version = activation.protocolVersion;
      // A proximity TOTP exists only in personalized payloads (server.md §3.3).
      const proximity = form.proximity && form.kind === 'personalized';
      const seed = proximity ? new Uint8Array(randomBytes(16)) : null;
      const created =
        form.kind === 'personalized'
          ? await offcode.offline.createPersonalized(version, {
              activationId: activation.activationId,
              data,
              ...(seed ? { proximityCheck: { seed: encodeBase64(seed), stepLength: DEMO_STEP_LENGTH } } : {}),
            })
          : await offcode.offline.createNonPersonalized(version, {
              applicationId: application,
              data,
            });
      const sealed = seed ? tables.seal(PROXIMITY_SEED, id, seed) : null;
      seed?.fill(0);
      const op: DemoOperation = {
        id,
        activationId: activation.activationId,
        userId,
        kind: form.kind,
        template: form.template,
        protocolVersion: version,
        operationId,
        operationData: texts.operationData,
        title: texts.title,
        message: texts.message,
        data,
        offlineData: created.offlineData,
        nonce: created.nonce,
        proximitySeed: sealed?.bytes ?? null,
        proximitySeedEncryption: sealed?.encryption ?? 0,
        stepLength: seed ? DEMO_STEP_LENGTH : null,
        allowBiometry: form.allowBiometry,
        componentLength: config.componentLength,
        status: 'PENDING',
        lastResult: null,
        createdAt: new Date(),
        expiresAt: created.expiresAt ? new Date(created.expiresAt) : null,
      };
      await tables.transaction((tx) => insertOperation(tx, op));
      return op;
    },

    find: (id: string): Promise<DemoOperation | null> => tables.transaction((tx) => findOperation(tx, id)),

    /**
     * Verifies the code as the user typed it through `offline.verifyTyped` (the server normalises it for the
     * operation's componentLength; a wrong entry → DemoInputError with the server's user message, no attempt
     * counted) and records the result. Registry rejections OFF-0103 / OFF-0102 become ALREADY_APPROVED /
     * EXPIRED; other service errors propagate.
     */
    async verify(op: DemoOperation, typed: string): Promise<DemoResult> {
      if (op.status === 'APPROVED' && config.payloadRegistry === 'off') {
        // Without a registry the server cannot tell "already used" from "wrong": answer locally, so a
        // second submission does not count as a failed attempt (whatever was typed: the operation is done).
        return done(op, already('ALREADY_APPROVED', op), false);
      }
      const request = verifyRequest(tables, op, typed);
      try {
        const outcome = await offcode.offline.verifyTyped(op.protocolVersion, request);
        const result: DemoResult = {
          result: outcome.valid ? 'VALID' : 'INVALID',
          activationStatus: outcome.activationStatus,
          remainingAttempts: outcome.remainingAttempts,
          blockedReason: outcome.blockedReason,
          matchedType: outcome.valid ? outcome.type : null,
          blockExpiresAt: outcome.blockExpiresAt,
          verifiedAt: new Date().toISOString(),
        };
        return done(op, result, outcome.valid);
      } catch (error) {
        const entry =
          error instanceof OffcodeError ? error.issues.find((i) => i.field === 'typedCode') : undefined;
        if (entry) throw new DemoInputError(entry.reason);
        if (error instanceof OffcodeError && error.code === 'OFF-0103')
          return done(op, already('ALREADY_APPROVED', op), false);
        if (error instanceof OffcodeError && error.code === 'OFF-0102')
          return done(op, already('EXPIRED', op), false);
        throw error;
      }
    },
  };

  async function done(op: DemoOperation, result: DemoResult, approved: boolean): Promise<DemoResult> {
    await tables.transaction((tx) => recordResult(tx, op.id, result, approved));
    return result;
  }
}

type DemoTables = ReturnType<OffcodeServer['tables']>;

function already(name: 'ALREADY_APPROVED' | 'EXPIRED', op: DemoOperation): DemoResult {
  return {
    result: name,
    activationStatus: op.lastResult?.activationStatus ?? null,
    remainingAttempts: op.lastResult?.remainingAttempts ?? null,
    blockedReason: null,
    matchedType: null,
    blockExpiresAt: null,
    verifiedAt: new Date().toISOString(),
  };
}

export type DemoOperations = ReturnType<typeof createDemoOperations>;
