/**
 * Hand-built token state files with the keys of crypto.md §13 (V3) and §14 (V4), knowledge key wrapped
 * under PIN "1234" with the KAT salts, built through @offcode/client's public API.
 */
import { writeFileSync } from 'node:fs';
import { serializeState, type TokenState, wrapKnowledgeKey } from '@offcode/client/internal';
import { getWasmCrypto } from '@offcode/crypto-wasm';

const b = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const h = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

export const EXAMPLES = {
  3: {
    possession: h('5143901fcf47a1afcdc3b7b0e6b1933f'),
    knowledge: h('8631d64f2dc70379d074371d9c96d133'),
    biometry: h('4bd7cdbc652151a7e9d7cba9156cc2a0'),
    ctr: 'V4uAF/PstuQoGNnNTifHuw==',
    next: 'orZ9RZH55L6aCgIj3RVReA==',
    salt: h('000102030405060708090a0b0c0d0e0f'),
    serverPublicKey:
      'BP0G8/tV/kDLDaGCQmoeaOAabLQXjYF/6lgqVpUI3cS6FTTtIzPzOY137vyZFSthKorKvq0iih1PLUeeEFUkAGE=',
    master: 'BGoJOebdNAUiJAsiVDwJ3sma6PlWRx68r2dB5hc/G5sZiXrBtjeqX4aNZTSoN9ITgO0QK8G58vXdQtMFvknPoQ8=',
    macKey: null,
    payloadCase: 'offcode:v3-personalized-crypto-example',
    code: '81635335-01379301',
    nextCode: '65715390-97103082',
    wrongPinCode: '81635335-27849569',
    biometryCode: '81635335-54741027',
  },
  4: {
    possession: h('c38dd6ec8ae7973533f88e9d7b5d76c59f42f55c00888159cbca3388a36ec216'),
    knowledge: h('428a0231e26d401927c525f26a9927835c94ff831cd24be488bede6d3c5f20e6'),
    biometry: h('f2fff11a9a494254f6303db383789b82e0b08eef546d457f55948d6a97c6cbd9'),
    ctr: 'gm3Ku2m87l4SgiYDUZEzOw538VgUXWgynwdrwxZ4nsc=',
    next: 'JXPZhQyLmR6FT5d+wjRuXz69wfQfuzRx+W76/Gom9AM=',
    salt: h('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
    serverPublicKey:
      'BMIQSVp+Uz2/htKuE5CyRsDPiMXXkT67JNvIS4vCeoHjtMGETXjCRRgO5KZplZhzEWwdIzEKJlrjg5plGae7/ZGAvIQClO9Pvx+mjI8mDxL8SS7b98gn3gzuEBoX6KKsXw==',
    master:
      'BMdvIoPdqVzUmw7Z5zPSkER043IW8SThPSyatM8BAhxJrZyrs9C5dJmu8vCrMT+gKCa8H4NFG1yJYqdcr/c1iNRACmKWQ2FU+zQ8OT6RBIpse8utyDzYpfJv6uiDFW+SoQ==',
    macKey: h('5bf32ac380091ee50daebd37b72ad43404144e6405b5b67a7fafdcfdda499b6a'),
    payloadCase: 'offcode:v4-personalized-mac-with-totp',
    code: '73964965-25628884',
    nextCode: undefined,
    wrongPinCode: '73964965-89500977',
    biometryCode: '73964965-70205815',
  },
} as const;

export function writeExampleState(path: string, protocol: 3 | 4): void {
  const ex = EXAMPLES[protocol];
  const state: TokenState = {
    format: 'offcode-token/1',
    protocol,
    activationId: '0d6c4f5e-3a7b-4c2d-9e8f-0123456789ab',
    applicationId: 'offcode-demo',
    serverUrl: 'http://127.0.0.1:8080',
    activationStatus: 'ACTIVE',
    blockedReason: null,
    statusCheckedAt: null,
    componentLength: 8,
    counter: 0,
    ctrData: b(ex.ctr),
    possessionKey: ex.possession.slice(),
    knowledgeKey: wrapKnowledgeKey(getWasmCrypto(), protocol, '1234', ex.salt, ex.knowledge),
    biometryKey: { protection: 'none', key: ex.biometry.slice() },
    serverPublicKey: b(ex.serverPublicKey),
    macKey: ex.macKey ? ex.macKey.slice() : null,
    masterPublicKeys: [b(ex.master)],
    createdAt: '2025-05-01T10:00:00.000Z',
    updatedAt: '2025-05-01T10:00:00.000Z',
  };
  writeFileSync(path, serializeState(state), { mode: 0o600 });
}
