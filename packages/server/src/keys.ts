/** Server key material: master key pairs and activation keys, sealed at rest (server.md §5.2). */
import {
  type Curve,
  deriveMasterSecretV3,
  encodeBase64,
  generateKeyPair,
  normalizePrivateKey,
  PROTOCOL_PARAMETERS,
  PROTOCOL_VERSIONS,
  ProtocolError,
  type ProtocolVersion,
} from '@offcode/protocol';
import { aad } from './at-rest.js';
import type { ServerContext } from './context.js';
import { OffcodeError } from './errors.js';
import { insertMasterKey } from './repo/queries.js';
import type { ActivationRow, ApplicationRow, MasterKeyAlgorithm, MasterKeyPairRow } from './repo/rows.js';
import type { SqlExecutor } from './storage/types.js';

/** The curve of a stored master key algorithm (from the protocol parameter table). */
export function curveOf(algorithm: MasterKeyAlgorithm): Curve {
  const version = PROTOCOL_VERSIONS.find((v) => PROTOCOL_PARAMETERS[v].masterKeyAlgorithm === algorithm);
  if (version === undefined) throw new OffcodeError('ERR0004');
  return PROTOCOL_PARAMETERS[version].curve;
}
export const algorithmFor = (protocol: ProtocolVersion): MasterKeyAlgorithm =>
  PROTOCOL_PARAMETERS[protocol].masterKeyAlgorithm;
export const curveFor = (protocol: ProtocolVersion): Curve => PROTOCOL_PARAMETERS[protocol].curve;

/** Generates a master key pair and stores it (private key sealed with the row-binding AAD). */
export async function createMasterKeyPair(
  ctx: ServerContext,
  tx: SqlExecutor,
  app: Pick<ApplicationRow, 'id' | 'name'>,
  algorithm: MasterKeyAlgorithm,
  now: Date,
): Promise<Uint8Array> {
  const pair = generateKeyPair(ctx.suite, curveOf(algorithm));
  const sealed = ctx.cipher.seal(
    pair.privateKey,
    aad.masterPrivateKey(app.name, algorithm, encodeBase64(pair.publicKey)),
  );
  pair.privateKey.fill(0);
  await insertMasterKey(tx, {
    applicationId: app.id,
    algorithm,
    privateKey: sealed.bytes,
    encryption: sealed.encryption,
    publicKey: pair.publicKey,
    now,
  });
  return pair.publicKey;
}

/** Decrypts and parses a master private key: ERR0020..0022 from the envelope, ERR0004 when unparsable. */
export function openMasterPrivateKey(
  ctx: ServerContext,
  app: Pick<ApplicationRow, 'name'>,
  row: MasterKeyPairRow,
): Uint8Array {
  const plain = ctx.cipher.open(
    row.privateKey,
    row.privateKeyEncryption,
    aad.masterPrivateKey(app.name, row.algorithm, encodeBase64(row.publicKey)),
  );
  try {
    return normalizePrivateKey(curveOf(row.algorithm), plain);
  } catch (error) {
    if (error instanceof ProtocolError) throw new OffcodeError('ERR0004');
    throw error;
  } finally {
    plain.fill(0);
  }
}

/** V3: the activation's server private key (P-256). */
export function openServerPrivateKey(ctx: ServerContext, row: ActivationRow): Uint8Array {
  if (!row.serverPrivateKey || row.protocolVersion !== 3) throw new OffcodeError('ERR0008');
  const plain = ctx.cipher.open(
    row.serverPrivateKey,
    row.keyEncryption,
    aad.serverPrivateKey(row.activationId, 3),
  );
  try {
    return normalizePrivateKey('P-256', plain);
  } catch (error) {
    if (error instanceof ProtocolError)
      throw new OffcodeError('ERR0010', 'Stored server private key cannot be parsed.', { kind: 'internal' });
    throw error;
  } finally {
    plain.fill(0);
  }
}

/**
 * V3: KEY_MASTER_SECRET (16 bytes). The key exchange seals it in `activation_secret` beside the server
 * private key (server.md §5.1), so a verification opens one envelope instead of running ECDH (the largest
 * CPU cost of a V3 verification); V3 rows exchanged before that keep it NULL and derive it as before:
 * ECDH(server private key, device public key), xor-folded.
 */
export function openMasterSecretV3(ctx: ServerContext, row: ActivationRow): Uint8Array {
  if (row.protocolVersion !== 3) throw new OffcodeError('ERR0008');
  if (row.activationSecret) {
    const secret = ctx.cipher.open(
      row.activationSecret,
      row.keyEncryption,
      aad.activationSecret(row.activationId, 3),
    );
    if (secret.length !== PROTOCOL_PARAMETERS[3].rootSecretBytes) {
      secret.fill(0);
      throw new OffcodeError('ERR0010', 'Stored master secret cannot be parsed.', { kind: 'internal' });
    }
    return secret;
  }
  if (!row.devicePublicKey)
    throw new OffcodeError('ERR0010', 'Stored device public key is missing.', { kind: 'internal' });
  const privateKey = openServerPrivateKey(ctx, row);
  try {
    return deriveMasterSecretV3(ctx.suite, privateKey, row.devicePublicKey);
  } catch (error) {
    if (error instanceof ProtocolError)
      throw new OffcodeError('ERR0010', 'Stored key cannot be parsed.', { cause: error, kind: 'internal' });
    throw error;
  } finally {
    privateKey.fill(0);
  }
}

/** V4: KEY_ACTIVATION_SECRET (32 bytes). */
export function openActivationSecret(ctx: ServerContext, row: ActivationRow): Uint8Array {
  if (!row.activationSecret || row.protocolVersion !== 4) throw new OffcodeError('ERR0008');
  const secret = ctx.cipher.open(
    row.activationSecret,
    row.keyEncryption,
    aad.activationSecret(row.activationId, 4),
  );
  if (secret.length !== PROTOCOL_PARAMETERS[4].rootSecretBytes) {
    secret.fill(0);
    throw new OffcodeError('ERR0010', 'Stored activation secret cannot be parsed.', { kind: 'internal' });
  }
  return secret;
}
