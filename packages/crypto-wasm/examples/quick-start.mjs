import { getNobleCrypto, getOffcodeCrypto } from '@offcode/crypto-wasm';

const hex = (s) => Uint8Array.from(s.match(/../g), (b) => parseInt(b, 16));
const utf8 = (s) => new TextEncoder().encode(s);

// One explicit backend: 'auto' = wasm where the module runs, else noble.
const crypto = getOffcodeCrypto('auto');

// V3 factor keys, counter and normalized data from crypto.md section 13.
const possession = hex('5143901fcf47a1afcdc3b7b0e6b1933f');
const knowledge = hex('8631d64f2dc70379d074371d9c96d133');
const counter = hex('578b8017f3ecb6e42818d9cd4e27c7bb');
const data = utf8(
  'POST&L29wZXJhdGlvbi9hdXRob3JpemUvb2ZmbGluZQ==&AD8bOO0Df73kNaIGb3Vmpg==&NWZmMWIxZWQtYTNjYy00NWEzLThhYjAtZWQ2MDk1MDMxMmI2JkExKkExMDBDWksqSUNaMjczMDMwMDAwMDAwMTE2NTI1NDAxMSpEMjAxODA0MjU=&offline',
);

// Token side: the code for the current counter, then the counter moves on.
const code = crypto.computeAuthCode({ protocol: 3, keys: [possession, knowledge], counter, data });
console.log(code); // 81635335-01379301
const tokenCounter = crypto.nextCounter(3, counter);

// Server side: one call searches the whole lookahead window.
const result = crypto.searchOfflineCode({
  protocol: 3,
  possessionKey: possession,
  factors: [{ type: 'possession_knowledge', key: knowledge }],
  counter,
  window: 20,
  data,
  code,
});
console.log(result.match, result.position, result.counterIncrement); // true 0 1
console.log(Buffer.from(result.nextCounter).equals(Buffer.from(tokenCounter))); // true

// Same API, pure-JS backend.
console.log(
  crypto.backend,
  getNobleCrypto().computeAuthCode({ protocol: 3, keys: [possession, knowledge], counter, data, length: 4 }),
); // wasm 5335-9301
