/**
 * `ActivateInput.mobileSdkConfig` (client.md §3.1): the PowerAuth mobile SDK 1.8+ configuration string
 * (activation.md 11) stands for APP_KEY, APP_SECRET and the P-256 master public key, the one value a
 * PowerAuth SDK app is configured with. It is resolved into those three inputs before anything else is
 * checked, so the PowerAuth path that follows is the same as with the three values given one by one.
 */
import { encodeBase64, ProtocolError } from '@offcode/protocol';
import { parseMobileSdkConfig, SDK_CONFIG_KEY_IDS } from '@offcode/protocol/pa3';
import { zeroize } from '../bytes.js';
import { OffcodeClientError } from '../errors.js';
import { toCurvePoint } from '../points.js';
import type { ActivateInput } from '../types.js';

const FIELD = 'mobileSdkConfig';

function invalid(message: string): never {
  throw new OffcodeClientError('INVALID_INPUT', message, { field: FIELD });
}

/** The parser's reason without its field prefix; ProtocolError messages describe the rule, never the value. */
function reasonOf(e: unknown): string {
  if (!(e instanceof ProtocolError)) throw e;
  return e.message.startsWith(`${FIELD}: `) ? e.message.slice(FIELD.length + 2) : e.message;
}

/** Refuses what cannot go with the string: the three values it replaces, protocol 4, the plain exchange. */
function checkCompanions(input: ActivateInput): void {
  const given = (['applicationKey', 'applicationSecret', 'masterPublicKey'] as const).filter(
    (k) => input[k] !== undefined,
  );
  if (given.length > 0)
    invalid(`give mobileSdkConfig or the three values, not both (${given.join(', ')} given too)`);
  if (input.protocol !== undefined && input.protocol !== 3)
    invalid('mobileSdkConfig configures PowerAuth, which enrols protocol 3 activations only');
  if (input.mechanism !== undefined && input.mechanism !== 'powerauth')
    invalid('mobileSdkConfig implies the powerauth mechanism');
}

/**
 * The input with `mobileSdkConfig` replaced by the application key, secret and master public key it
 * carries (and mechanism `powerauth`); the input itself when it has no configuration string.
 */
export function resolveMobileSdkConfig(input: ActivateInput): ActivateInput {
  if (typeof input !== 'object' || input === null || input.mobileSdkConfig === undefined) return input;
  checkCompanions(input);
  const text: unknown = input.mobileSdkConfig;
  if (typeof text !== 'string') invalid('mobileSdkConfig must be a string');
  let config: ReturnType<typeof parseMobileSdkConfig>;
  try {
    config = parseMobileSdkConfig(text);
  } catch (e) {
    invalid(`mobileSdkConfig is not a PowerAuth mobile SDK configuration string: ${reasonOf(e)}`);
  }
  try {
    const raw = config.keys.get(SDK_CONFIG_KEY_IDS.MASTER_P256_PUBLIC);
    if (raw === undefined) invalid('mobileSdkConfig has no P-256 master public key (key 1)');
    const masterPublicKey = toCurvePoint(3, raw);
    if (!masterPublicKey) invalid('mobileSdkConfig: key 1 is not a P-256 public key');
    const { mobileSdkConfig: _text, ...rest } = input;
    return {
      ...rest,
      mechanism: 'powerauth',
      applicationKey: encodeBase64(config.applicationKey),
      applicationSecret: encodeBase64(config.applicationSecret),
      masterPublicKey,
    };
  } finally {
    // The parsed bytes are copies; the Base64 texts above are what the exchange uses.
    zeroize(config.applicationKey, config.applicationSecret);
  }
}
