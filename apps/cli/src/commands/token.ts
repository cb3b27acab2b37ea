import { OffcodeToken, type TokenStatus } from '@offcode/client';
import { FileTokenStore } from '@offcode/client/node';
import { invalidInput } from '../errors.js';
import { readPayloadInput } from '../io.js';
import type { Output } from '../output.js';
import { printJson } from '../payload-json.js';

/** Debug hook for crash tests: stop after the counter is durable, before the code is printed. */
export const HOLD_AFTER_PERSIST_ENV = 'OFFCODE_DEBUG_HOLD_AFTER_PERSIST';

function tokenFor(state: string): OffcodeToken {
  const hold = process.env[HOLD_AFTER_PERSIST_ENV] === '1';
  return new OffcodeToken({
    store: new FileTokenStore(state),
    ...(hold
      ? {
          afterCounterPersisted: (counter: number) => {
            process.stderr.write(`offcode: debug: counter ${counter} persisted, holding\n`);
            return new Promise<void>(() => {
              setInterval(() => undefined, 60_000); // keeps the process alive until it is killed
            });
          },
        }
      : {}),
  });
}

const statusJson = (s: TokenStatus) => printJson(s);

export interface ActivateOptions {
  server: string;
  application: string;
  code: string;
  pin: string;
  state: string;
  protocol: string;
  masterKey?: string;
}

export async function tokenActivate(out: Output, o: ActivateOptions): Promise<void> {
  const status = await tokenFor(o.state).activate({
    serverUrl: o.server,
    applicationId: o.application,
    activationCode: o.code,
    pin: o.pin,
    protocol: o.protocol === '4' ? 4 : 3,
    enableBiometry: true, // the CLI simulates a device with biometry (client.md §5.2)
    ...(o.masterKey !== undefined ? { masterPublicKey: o.masterKey } : {}),
  });
  out.stdout(statusJson(status));
}

export interface ApproveCliOptions {
  state: string;
  pin?: string;
  biometry?: boolean;
  qr?: string;
  length?: string;
}

export async function tokenApprove(out: Output, o: ApproveCliOptions): Promise<void> {
  if ((o.pin === undefined) === (o.biometry === undefined))
    throw invalidInput('exactly one of --pin or --biometry is required');
  let componentLength: number | undefined;
  if (o.length !== undefined) {
    if (!/^[4-8]$/.test(o.length)) throw invalidInput('--length must be an integer 4..8');
    componentLength = Number(o.length);
  }
  const payload = await readPayloadInput(o.qr);
  const result = await tokenFor(o.state).approve(
    payload,
    o.pin !== undefined ? { pin: o.pin } : { biometry: true },
    componentLength !== undefined ? { componentLength } : {},
  );
  out.stdout(result.code + '\n');
}

/** The first `token:secret` pair of OFFCODE_INTEGRATION_CREDENTIALS (server.md §1.5), if any. */
export function integrationCredentials(
  env = process.env,
): { username: string; password: string } | undefined {
  const raw = env.OFFCODE_INTEGRATION_CREDENTIALS;
  if (!raw) return undefined;
  const first = raw.split(',')[0]!.trim();
  const colon = first.indexOf(':');
  if (colon <= 0) throw invalidInput('OFFCODE_INTEGRATION_CREDENTIALS must be token:secret[,token:secret…]');
  return { username: first.slice(0, colon), password: first.slice(colon + 1) };
}

export async function tokenStatus(out: Output, o: { state: string; remote?: boolean }): Promise<void> {
  const credentials = o.remote ? integrationCredentials() : undefined;
  const status = await tokenFor(o.state).status({
    remote: o.remote === true,
    ...(credentials ? { credentials } : {}),
  });
  out.stdout(statusJson(status));
}
