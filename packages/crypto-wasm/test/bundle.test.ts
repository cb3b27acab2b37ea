import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { WASM_BASE64 } from '../src/generated/wasm-bytes.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

async function bundle(code: string, conditions: string[] = []): Promise<string> {
  const result = await build({
    stdin: { contents: code, resolveDir: pkg, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions,
    treeShaking: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

const wasmMarker = WASM_BASE64.slice(0, 64);

describe('bundles of the built package', () => {
  it('the react-native condition never touches WebAssembly', async () => {
    const out = await bundle(
      `import { getOffcodeCrypto, parseOfflineCode } from '@offcode/crypto-wasm'; console.log(parseOfflineCode, getOffcodeCrypto);`,
      ['react-native'],
    );
    expect(out).not.toContain('WebAssembly');
    expect(out).not.toContain(wasmMarker);
    expect(out).toContain('personalization'); // the noble backend is in
  });

  it('importing only the noble backend tree-shakes the wasm bytes away', async () => {
    const out = await bundle(
      `import { getNobleCrypto } from '@offcode/crypto-wasm'; console.log(getNobleCrypto);`,
    );
    expect(out).not.toContain(wasmMarker);
    expect(out).not.toContain('WebAssembly');
  });

  it('the default entry embeds the wasm bytes (no fs, no fetch)', async () => {
    const out = await bundle(
      `import { getOffcodeCrypto } from '@offcode/crypto-wasm'; console.log(getOffcodeCrypto);`,
    );
    expect(out).toContain(wasmMarker);
    expect(out).not.toMatch(/\bfetch\(|node:fs|require\(["']fs["']\)/);
  });
});
