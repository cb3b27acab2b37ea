/**
 * The plain exchange (client.md §3.1 step 3, server.md §2.4): Offcode's own device-facing route, V3 and V4.
 * The device public key goes uncompressed in clear; the answer carries the server and master public keys.
 */
import { encodeBase64, PROTOCOL_PARAMETERS, tryDecodeBase64Strict } from '@offcode/protocol';
import { OffcodeClientError } from '../errors.js';
import { postEnvelope } from '../http.js';
import { toCurvePoint } from '../points.js';
import { keySize, type Protocol } from '../state.js';
import type { DeviceKeyPair, ExchangeContext, ExchangedActivation, KeyExchange } from './key-exchange.js';

export interface PlainExchangeInput {
  serverUrl: string;
  applicationId: string;
  activationCode: string;
  protocol: Protocol;
  enableBiometry: boolean;
}

export function plainExchange(input: PlainExchangeInput): KeyExchange {
  return {
    mechanism: 'plain',
    protocol: input.protocol,
    tokenState: () => null,
    async exchange(ctx: ExchangeContext, device: DeviceKeyPair): Promise<ExchangedActivation> {
      const res = await postEnvelope(
        ctx.fetch,
        `${input.serverUrl}/rest/offcode/activation/exchange`,
        {
          activationCode: input.activationCode,
          protocolVersion: input.protocol,
          devicePublicKey: encodeBase64(device.publicKey),
          applicationId: input.applicationId,
          enableBiometry: input.enableBiometry,
        },
        { timeoutMs: ctx.timeoutMs },
      );
      if (!res.ok) {
        throw new OffcodeClientError(
          'ACTIVATION_FAILED',
          `the server refused the activation (${res.errorCode})`,
          { serverCode: res.errorCode },
        );
      }
      return validateExchange(res.response, input.protocol);
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validateExchange(r: Record<string, unknown>, protocol: Protocol): ExchangedActivation {
  const bad = (field: string, rule: string): never => {
    throw new OffcodeClientError('ACTIVATION_FAILED', `invalid exchange response: ${field} ${rule}`);
  };
  const activationId = r.activationId;
  if (typeof activationId !== 'string' || !UUID.test(activationId)) bad('activationId', 'must be a UUID');
  if (r.protocolVersion !== protocol) bad('protocolVersion', `must be ${protocol}`);
  const point = (field: string): Uint8Array => {
    const v = r[field];
    const raw = typeof v === 'string' ? tryDecodeBase64Strict(v) : null;
    const p = raw ? toCurvePoint(protocol, raw) : undefined;
    return p ?? bad(field, `must be a ${PROTOCOL_PARAMETERS[protocol].curve} public key`);
  };
  const serverPublicKey = point('serverPublicKey');
  const masterPublicKey = point('masterPublicKey');
  const ctr = typeof r.ctrData === 'string' ? tryDecodeBase64Strict(r.ctrData) : null;
  if (!ctr || ctr.length !== keySize(protocol))
    bad('ctrData', `must be Base64 of ${keySize(protocol)} bytes`);
  const status = r.activationStatus;
  if (status !== 'PENDING_COMMIT' && status !== 'ACTIVE')
    bad('activationStatus', 'must be PENDING_COMMIT or ACTIVE');
  const len = r.offlineComponentLength ?? 8;
  if (typeof len !== 'number' || !Number.isInteger(len) || len < 4 || len > 8)
    bad('offlineComponentLength', 'must be an integer 4..8');
  return {
    activationId: (activationId as string).toLowerCase(),
    activationStatus: status as 'PENDING_COMMIT' | 'ACTIVE',
    statusKnown: true,
    serverPublicKey,
    masterPublicKey,
    ctrData: ctr as Uint8Array,
    componentLength: len as number,
  };
}
