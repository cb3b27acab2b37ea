/**
 * `token activate` flags → `OffcodeToken.activate` input (client.md §5.2). V3 enrols through PowerAuth 3.3
 * by default (what a PowerAuth mobile SDK app does: the application key, secret and master public key are
 * compiled into the app, here they are flags, or the one `--sdk-config` string that carries them); V4 and `--mechanism plain` use Offcode's own exchange. Every
 * flag is checked here, before the PIN is asked for and before any network call, so a mistake costs neither
 * a prompt nor the one-shot activation code.
 */
import type { ActivateInput, KeyExchangeMechanism } from '@offcode/client';
import { normalizePublicKey, parseActivationCode, tryDecodeBase64Strict } from '@offcode/protocol';
import { parseMobileSdkConfig, SDK_CONFIG_KEY_IDS } from '@offcode/protocol/pa3';
import { invalidInput } from '../errors.js';

export interface ActivateFlags {
  server: string;
  application?: string;
  code: string;
  state?: string;
  protocol: string;
  mechanism?: string;
  masterKey?: string;
  appKey?: string;
  appSecret?: string;
  sdkConfig?: string;
}

/** The library's input fields and the flags that carry them (its messages name the field first). */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  serverUrl: '--server',
  applicationId: '--application',
  activationCode: '--code',
  masterPublicKey: '--master-key',
  applicationKey: '--app-key',
  applicationSecret: '--app-secret',
  mobileSdkConfig: '--sdk-config',
  protocol: '--protocol',
  mechanism: '--mechanism',
};

/** The flag a library INVALID_INPUT is about, if it is one of activate's flags. */
export function flagOfField(field: string | null | undefined): string | undefined {
  return field ? FLAG_OF_FIELD[field] : undefined;
}

function required(value: string | undefined, flag: string, why: string): string {
  if (value === undefined) throw invalidInput(`${flag} is required ${why}`);
  return value;
}

/** APP_KEY / APP_SECRET: strict Base64 of 16 bytes (PowerAuth's format). */
function credential(value: string, flag: string): string {
  if (tryDecodeBase64Strict(value)?.length !== 16)
    throw invalidInput(`${flag} must be the strict Base64 text of 16 bytes`);
  return value;
}

/** The master public key: strict Base64 of a point on the protocol's curve (P-256 for V3, P-384 for V4). */
function masterKey(value: string, protocol: 3 | 4): string {
  const curve = protocol === 3 ? 'P-256' : 'P-384';
  const raw = tryDecodeBase64Strict(value);
  let ok = false;
  try {
    ok = raw !== null && normalizePublicKey(curve, raw) !== undefined;
  } catch {
    ok = false;
  }
  if (!ok) throw invalidInput(`--master-key must be the strict Base64 of a ${curve} public key`);
  return value;
}

/**
 * The activation code, `CODE` or the QR form `CODE#signature` (PowerAuth). A signature that is not Base64 is
 * a typing mistake (exit 2); one that does not verify with the master key is the library's SIGNATURE_INVALID.
 */
function activationCode(value: string, mechanism: KeyExchangeMechanism): string {
  const hash = mechanism === 'powerauth' ? value.indexOf('#') : -1;
  if (parseActivationCode(hash < 0 ? value : value.slice(0, hash)) === null)
    throw invalidInput('--code must be XXXXX-XXXXX-XXXXX-XXXXX with a valid checksum');
  if (hash >= 0 && !tryDecodeBase64Strict(value.slice(hash + 1))?.length)
    throw invalidInput('--code: the signature after # must be strict Base64');
  return value;
}

const SDK_CONFIG_FORM =
  'the PowerAuth mobile SDK configuration string (application/detail versions[].mobileSdkConfig)';

/**
 * `--sdk-config`, the one value a PowerAuth mobile SDK 1.8+ app is configured with, in place of the three
 * flags it carries: parsed here (version 1, lengths, key 1 a P-256 point) so a typo is exit 2 before the PIN.
 */
function sdkConfig(o: ActivateFlags, value: string): string {
  if (o.appKey !== undefined || o.appSecret !== undefined || o.masterKey !== undefined)
    throw invalidInput(
      '--sdk-config replaces --app-key, --app-secret and --master-key: give one or the other',
    );
  let masterKey: Uint8Array | undefined;
  try {
    masterKey = parseMobileSdkConfig(value).keys.get(SDK_CONFIG_KEY_IDS.MASTER_P256_PUBLIC);
    if (masterKey !== undefined) normalizePublicKey('P-256', masterKey);
  } catch {
    throw invalidInput(`--sdk-config must be ${SDK_CONFIG_FORM}`);
  }
  if (masterKey === undefined) throw invalidInput('--sdk-config has no P-256 master public key (key 1)');
  return value;
}

function serverUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:')
    throw invalidInput('--server must be an http or https URL');
  return value;
}

function mechanismOf(o: ActivateFlags, protocol: 3 | 4): KeyExchangeMechanism {
  if (o.sdkConfig !== undefined && (protocol === 4 || o.mechanism === 'plain'))
    throw invalidInput('--sdk-config is PowerAuth enrolment: protocol 3 and --mechanism powerauth only');
  const mechanism = (o.mechanism ?? (protocol === 3 ? 'powerauth' : 'plain')) as KeyExchangeMechanism;
  if (mechanism === 'powerauth' && protocol === 4)
    throw invalidInput('--mechanism powerauth enrols protocol 3 only (protocol 4 uses --mechanism plain)');
  return mechanism;
}

/** The checked activation input without the PIN (read afterwards). */
export function activationInput(o: ActivateFlags): Omit<ActivateInput, 'pin'> {
  const protocol = o.protocol === '4' ? 4 : 3;
  const mechanism = mechanismOf(o, protocol);
  const common = {
    serverUrl: serverUrl(o.server),
    activationCode: activationCode(o.code, mechanism),
    protocol,
    mechanism,
    enableBiometry: true, // the CLI simulates a device with biometry (client.md §5.2)
  } as const;
  if (mechanism === 'plain') {
    for (const [flag, value] of [
      ['--app-key', o.appKey],
      ['--app-secret', o.appSecret],
    ] as const)
      if (value !== undefined) throw invalidInput(`${flag} is only used with --mechanism powerauth`);
    return {
      ...common,
      applicationId: required(o.application, '--application', 'for --mechanism plain'),
      ...(o.masterKey !== undefined ? { masterPublicKey: masterKey(o.masterKey, protocol) } : {}),
    };
  }
  const label = o.application !== undefined ? { applicationId: o.application } : {};
  if (o.sdkConfig !== undefined) return { ...common, mobileSdkConfig: sdkConfig(o, o.sdkConfig), ...label };
  const why =
    'for PowerAuth enrolment (the V3 default, or --sdk-config; --mechanism plain for the Offcode exchange)';
  return {
    ...common,
    applicationKey: credential(required(o.appKey, '--app-key', why), '--app-key'),
    applicationSecret: credential(required(o.appSecret, '--app-secret', why), '--app-secret'),
    masterPublicKey: masterKey(required(o.masterKey, '--master-key', why), protocol),
    ...label,
  };
}
