import { OffcodeClientError, OffcodeToken, type TokenStatus } from '@offcode/client';
import { FileTokenStore } from '@offcode/client/node';
import { CliError, invalidInput } from '../errors.js';
import { readPayloadInput, readStdinBytes, stripOneNewline } from '../io.js';
import type { CliIo } from '../io-context.js';
import { printJson } from '../payload-json.js';
import { type ActivateFlags, activationInput, flagOfField } from './activate-options.js';

/** Debug hook for crash tests: stop after the counter is durable, before the code is printed. */
export const HOLD_AFTER_PERSIST_ENV = 'OFFCODE_DEBUG_HOLD_AFTER_PERSIST';

function tokenFor(io: CliIo, state: string | undefined): OffcodeToken {
  const hold = io.env[HOLD_AFTER_PERSIST_ENV] === '1';
  return new OffcodeToken({
    store: new FileTokenStore(state ?? io.defaultStatePath()),
    ...(hold
      ? {
          afterCounterPersisted: (counter: number) => {
            io.stderr(`offcode: debug: counter ${counter} persisted, holding\n`);
            return new Promise<void>(() => {
              setInterval(() => undefined, 60_000); // keeps the process alive until it is killed
            });
          },
        }
      : {}),
  });
}

const statusJson = (s: TokenStatus) => printJson(s);

/** Where the PIN comes from (client.md §5.1): argv, the first line of stdin, or a prompt on the terminal. */
export interface PinOptions {
  pin?: string;
  pinStdin?: boolean;
}

async function pinFromStdin(io: CliIo): Promise<string> {
  const text = new TextDecoder().decode(stripOneNewline(await readStdinBytes(io.stdin)));
  if (text === '') throw invalidInput('--pin-stdin: stdin is empty');
  if (/[\r\n]/.test(text)) throw invalidInput('--pin-stdin: stdin must hold the PIN on one line');
  return text;
}

/** The PIN from `--pin`, `--pin-stdin` or the terminal; `confirm` asks twice (a new PIN at activation). */
async function readPin(io: CliIo, o: PinOptions, confirm: boolean): Promise<string> {
  if (o.pin !== undefined) return o.pin;
  if (o.pinStdin) return pinFromStdin(io);
  const pin = await io.promptSecret('PIN: ');
  if (confirm && (await io.promptSecret('PIN again: ')) !== pin) throw invalidInput('the two PINs differ');
  return pin;
}

export type ActivateOptions = ActivateFlags & PinOptions;

/** Library INVALID_INPUT about one of activate's inputs, reworded to name the flag (one line, exit 2). */
function withFlagNames(e: unknown): never {
  const flag = e instanceof OffcodeClientError ? flagOfField(e.field) : undefined;
  if (flag && e instanceof OffcodeClientError && e.code === 'INVALID_INPUT')
    throw new CliError('INVALID_INPUT', `${flag}: ${e.message}`, undefined, { cause: e });
  throw e;
}

export async function tokenActivate(io: CliIo, o: ActivateOptions): Promise<void> {
  const input = activationInput(o);
  const token = tokenFor(io, o.state);
  const pin = await readPin(io, o, true);
  const status = await token.activate({ ...input, pin }).catch(withFlagNames);
  io.stdout(statusJson(status));
}

export interface ApproveCliOptions extends PinOptions {
  state?: string;
  biometry?: boolean;
  qr?: string;
  length?: string;
}

function componentLengthOption(length: string | undefined): { componentLength?: number } {
  if (length === undefined) return {};
  if (!/^[4-8]$/.test(length)) throw invalidInput('--length must be an integer 4..8');
  return { componentLength: Number(length) };
}

/** Checks the payload first (scan), then asks for the PIN: a bad payload never gets a prompt. */
export async function tokenApprove(io: CliIo, o: ApproveCliOptions): Promise<void> {
  if (o.pinStdin && o.qr === undefined)
    throw invalidInput('--pin-stdin takes stdin: give the payload with --qr FILE');
  const length = componentLengthOption(o.length);
  const payload = await readPayloadInput(io.stdin, o.qr);
  const token = tokenFor(io, o.state);
  const op = await token.scan(payload);
  const auth = o.biometry ? ({ biometry: true } as const) : { pin: await readPin(io, o, false) };
  const result = await token.approve(op, auth, length);
  io.stdout(result.code + '\n');
}

/** The first `token:secret` pair of OFFCODE_INTEGRATION_CREDENTIALS (server.md §1.5), if any. */
export function integrationCredentials(
  env: Readonly<Record<string, string | undefined>>,
): { username: string; password: string } | undefined {
  const raw = env.OFFCODE_INTEGRATION_CREDENTIALS;
  if (!raw) return undefined;
  const first = raw.split(',')[0]!.trim();
  const colon = first.indexOf(':');
  if (colon <= 0) throw invalidInput('OFFCODE_INTEGRATION_CREDENTIALS must be token:secret[,token:secret…]');
  return { username: first.slice(0, colon), password: first.slice(colon + 1) };
}

export async function tokenStatus(io: CliIo, o: { state?: string; remote?: boolean }): Promise<void> {
  const credentials = o.remote ? integrationCredentials(io.env) : undefined;
  const status = await tokenFor(io, o.state).status({
    remote: o.remote === true,
    ...(credentials ? { credentials } : {}),
  });
  io.stdout(statusJson(status));
}

export interface RemoveCliOptions extends PinOptions {
  state?: string;
  biometry?: boolean;
}

/**
 * Removes a PowerAuth-enrolled token: a signed `/pa/v3/activation/remove` (possession + knowledge with the
 * PIN, or possession + biometry), then the state file is deleted (client.md §3.5). Prints the final status.
 */
export async function tokenRemove(io: CliIo, o: RemoveCliOptions): Promise<void> {
  const token = tokenFor(io, o.state);
  const local = await token.status();
  if (local.mechanism !== 'powerauth')
    throw invalidInput(
      'this token enrolled with the plain exchange: remove its activation on the server, then delete the state file',
    );
  const auth = o.biometry ? ({ biometry: true } as const) : { pin: await readPin(io, o, false) };
  io.stdout(statusJson(await token.remove(auth)));
}
