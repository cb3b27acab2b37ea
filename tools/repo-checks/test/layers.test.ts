import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerViolations, readWorkspace, relativeToolImports, type WorkspacePackage } from '../src/layers.js';
import { REPO_ROOT, repoTextFiles } from '../src/repo.js';

const pkg = (name: string, dir: string, runtime: string[], dev: string[] = []): WorkspacePackage => ({
  name,
  dir,
  runtime,
  all: [...runtime, ...dev],
});

describe('tools sit at the layer they serve (issue 11 item 9)', () => {
  it('no workspace package uses a tool that pulls in the package itself or a layer above it', () => {
    const pkgs = readWorkspace(REPO_ROOT);
    expect(pkgs.map((p) => p.name)).toEqual(
      expect.arrayContaining(['@offcode/crypto-wasm', '@offcode/protocol', '@offcode/sim-token']),
    );
    expect(layerViolations(pkgs)).toEqual([]);
  });

  it('the rule catches a benchmark helper of crypto-wasm that pulls in protocol (and server)', () => {
    const graph = [
      pkg('wasm', 'packages/crypto-wasm', [], ['kit']),
      pkg('protocol', 'packages/protocol', ['wasm']),
      pkg('server', 'packages/server', ['protocol'], ['harness']),
      pkg('client', 'packages/client', ['protocol'], ['harness']),
      pkg('kit', 'tools/bench-kit', ['protocol']),
      pkg('harness', 'tools/test-harness', ['server']),
    ];
    expect(layerViolations(graph)).toEqual([
      'wasm uses kit, which pulls in protocol (at or above wasm)',
      'wasm uses kit, which pulls in wasm (at or above wasm)',
      'server uses harness, which pulls in server (at or above server)',
    ]);
    // The client beside the server may use a harness that runs a real server: neither is above the other.
    expect(layerViolations(graph).some((l) => l.startsWith('client'))).toBe(false);
  });

  it('a dev-only dependency makes a package "above" too (an app testing with the CLI is above the CLI)', () => {
    const graph = [
      pkg('cli', 'apps/cli', [], ['harness']),
      pkg('api', 'apps/api', [], ['cli']),
      pkg('harness', 'tools/test-harness', ['api']),
    ];
    expect(layerViolations(graph)).toEqual(['cli uses harness, which pulls in api (at or above cli)']);
  });

  it('no source file reaches into tools/ by a relative path (tools are used as packages)', () => {
    expect(relativeToolImports(`import { x } from '../../tools/sim-token/index.mjs';`)).toEqual([
      '../../tools/sim-token/index.mjs',
    ]);
    const offenders = repoTextFiles()
      .filter((f) => /\.[cm]?[jt]s$/.test(f) && !f.startsWith('tools/'))
      .flatMap((f) => relativeToolImports(readFileSync(join(REPO_ROOT, f), 'utf8')).map((i) => `${f}: ${i}`));
    expect(offenders).toEqual([]);
  });
});
