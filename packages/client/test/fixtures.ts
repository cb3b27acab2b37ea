/**
 * Hand-built token states holding the keys of the crypto.md worked examples (§13 V3, §14 V4), with the
 * knowledge key wrapped under PIN "1234" and the fixed KAT salts.
 */
import { getOffcodeCrypto } from '@offcode/crypto-wasm';
import { wrapKnowledgeKey } from '../src/pin.js';
import { serializeState, TOKEN_STATE_FORMAT, type TokenState } from '../src/state.js';
import { b64, hex } from './helpers.js';

export const V3_MASTER_P256 =
  'BGoJOebdNAUiJAsiVDwJ3sma6PlWRx68r2dB5hc/G5sZiXrBtjeqX4aNZTSoN9ITgO0QK8G58vXdQtMFvknPoQ8=';
export const V3_SERVER_PUBLIC =
  'BP0G8/tV/kDLDaGCQmoeaOAabLQXjYF/6lgqVpUI3cS6FTTtIzPzOY137vyZFSthKorKvq0iih1PLUeeEFUkAGE=';
export const V4_MASTER_P384 =
  'BMdvIoPdqVzUmw7Z5zPSkER043IW8SThPSyatM8BAhxJrZyrs9C5dJmu8vCrMT+gKCa8H4NFG1yJYqdcr/c1iNRACmKWQ2FU+zQ8OT6RBIpse8utyDzYpfJv6uiDFW+SoQ==';
export const V4_SERVER_PUBLIC =
  'BMIQSVp+Uz2/htKuE5CyRsDPiMXXkT67JNvIS4vCeoHjtMGETXjCRRgO5KZplZhzEWwdIzEKJlrjg5plGae7/ZGAvIQClO9Pvx+mjI8mDxL8SS7b98gn3gzuEBoX6KKsXw==';

export const V3_EXAMPLE = {
  possession: hex('5143901fcf47a1afcdc3b7b0e6b1933f'),
  knowledge: hex('8631d64f2dc70379d074371d9c96d133'),
  biometry: hex('4bd7cdbc652151a7e9d7cba9156cc2a0'),
  ctr: b64('V4uAF/PstuQoGNnNTifHuw=='),
  next: 'orZ9RZH55L6aCgIj3RVReA==',
  next2: 'ayfObKO450kplewm9vYvmg==',
  salt: hex('000102030405060708090a0b0c0d0e0f'),
  code: '81635335-01379301',
  codeL4: '5335-9301',
  wrongPinCode: '81635335-27849569',
  biometryCode: '81635335-54741027',
  nextCode: '65715390-97103082',
  payloadCase: 'offcode:v3-personalized-crypto-example',
};

export const V4_EXAMPLE = {
  possession: hex('c38dd6ec8ae7973533f88e9d7b5d76c59f42f55c00888159cbca3388a36ec216'),
  knowledge: hex('428a0231e26d401927c525f26a9927835c94ff831cd24be488bede6d3c5f20e6'),
  biometry: hex('f2fff11a9a494254f6303db383789b82e0b08eef546d457f55948d6a97c6cbd9'),
  mac: hex('5bf32ac380091ee50daebd37b72ad43404144e6405b5b67a7fafdcfdda499b6a'),
  ctr: b64('gm3Ku2m87l4SgiYDUZEzOw538VgUXWgynwdrwxZ4nsc='),
  next: 'JXPZhQyLmR6FT5d+wjRuXz69wfQfuzRx+W76/Gom9AM=',
  salt: hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
  code: '73964965-25628884',
  codeL6: '964965-628884',
  wrongPinCode: '73964965-89500977',
  biometryCode: '73964965-70205815',
  payloadCase: 'offcode:v4-personalized-mac-with-totp',
};

const NOW = '2025-05-01T10:00:00.000Z';

export function exampleState(
  protocol: 3 | 4,
  opts: { biometry?: boolean; componentLength?: number } = {},
): TokenState {
  const engine = getOffcodeCrypto(); // wasm, or noble in the Hermes stand-in run
  const ex = protocol === 3 ? V3_EXAMPLE : V4_EXAMPLE;
  return {
    format: TOKEN_STATE_FORMAT,
    protocol,
    activationId:
      protocol === 3 ? '0d6c4f5e-3a7b-4c2d-9e8f-0123456789ab' : '1e7d5a6f-4b8c-4d3e-8f90-123456789abc',
    applicationId: 'offcode-demo',
    serverUrl: 'http://127.0.0.1:8080',
    activationStatus: 'ACTIVE',
    blockedReason: null,
    statusCheckedAt: null,
    componentLength: opts.componentLength ?? 8,
    counter: 0,
    ctrData: ex.ctr.slice(),
    possessionKey: ex.possession.slice(),
    knowledgeKey: wrapKnowledgeKey(engine, protocol, '1234', ex.salt, ex.knowledge),
    biometryKey: opts.biometry === false ? null : { protection: 'none', key: ex.biometry.slice() },
    serverPublicKey: b64(protocol === 3 ? V3_SERVER_PUBLIC : V4_SERVER_PUBLIC),
    macKey: protocol === 3 ? null : V4_EXAMPLE.mac.slice(),
    masterPublicKeys: [b64(protocol === 3 ? V3_MASTER_P256 : V4_MASTER_P384)],
    powerAuth: null,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

export const exampleStateText = (
  protocol: 3 | 4,
  opts: { biometry?: boolean; componentLength?: number } = {},
) => serializeState(exampleState(protocol, opts));
