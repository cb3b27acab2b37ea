import { type FactorType, getOffcodeCrypto, OffcodeCryptoError } from '@offcode/crypto-wasm';
import { decodeBase64Strict, PROTOCOL_PARAMETERS } from '@offcode/protocol';
import { invalidInput } from '../errors.js';
import type { CliIo } from '../io-context.js';

export const FACTOR_TYPES: readonly FactorType[] = [
  'possession',
  'knowledge',
  'biometry',
  'possession_knowledge',
  'possession_biometry',
  'possession_knowledge_biometry',
];

export interface CodeOptions {
  protocol: string;
  type: string;
  possession?: string;
  knowledge?: string;
  biometry?: string;
  ctr: string;
  dataB64: string;
  length?: string;
  format: string;
}

function b64(value: string | undefined, option: string, length?: number): Uint8Array {
  if (value === undefined) throw invalidInput(`${option} is required for this --type`);
  try {
    return decodeBase64Strict(value, option, length);
  } catch {
    throw invalidInput(
      length === undefined
        ? `${option} must be strict Base64`
        : `${option} must be strict Base64 of ${length} bytes`,
    );
  }
}

/** `offcode code`: the raw engine for integrators debugging a mismatch (crypto.md §3 / §5). */
export function computeCode(io: CliIo, o: CodeOptions): void {
  const protocol = o.protocol === '3' ? 3 : 4;
  const size = PROTOCOL_PARAMETERS[protocol].factorKeyBytes;
  const type = o.type as FactorType;
  const keys: Uint8Array[] = [];
  if (type.startsWith('possession')) keys.push(b64(o.possession, '--possession', size));
  if (type.includes('knowledge')) keys.push(b64(o.knowledge, '--knowledge', size));
  if (type.includes('biometry')) keys.push(b64(o.biometry, '--biometry', size));
  const counter = b64(o.ctr, '--ctr', size);
  const data = b64(o.dataB64, '--data-b64');
  let length = 8;
  if (o.length !== undefined) {
    if (o.format === 'base64') throw invalidInput('--length applies to the decimal format only');
    if (!/^[4-8]$/.test(o.length)) throw invalidInput('--length must be an integer 4..8');
    length = Number(o.length);
  }
  let code: string;
  try {
    code = getOffcodeCrypto().computeAuthCode({
      protocol,
      keys,
      counter,
      data,
      format: o.format === 'base64' ? 'base64' : 'decimal',
      length,
    });
  } catch (e) {
    if (e instanceof OffcodeCryptoError && e.code === 'INVALID_INPUT') throw invalidInput(e.message);
    throw e;
  } finally {
    for (const k of keys) k.fill(0);
  }
  io.stdout(code + '\n');
}
