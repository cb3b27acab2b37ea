/**
 * Folder-level dependency direction (issue 11 item 9): a helper under `tools/` sits at the layer it serves. A
 * package may use a tool only when nothing the tool depends on is the package itself or above it (a package
 * that depends on it, directly or not, with any kind of dependency). Example: crypto-wasm's benchmark must not
 * use a tool that pulls in protocol, because protocol depends on crypto-wasm.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkspacePackage {
  name: string;
  /** Folder relative to the repository root, e.g. `tools/sim-token`. */
  dir: string;
  /** Workspace packages it needs to run (dependencies and peerDependencies). */
  runtime: string[];
  /** Every workspace package it names (runtime and devDependencies). */
  all: string[];
}

type Manifest = Record<'dependencies' | 'devDependencies' | 'peerDependencies', Record<string, string>>;

/** The packages of the workspace folders (`packages/*`, `apps/*`, `tools/*`), with workspace deps only. */
export function readWorkspace(root: string, folders = ['packages', 'apps', 'tools']): WorkspacePackage[] {
  const found: { dir: string; manifest: Partial<Manifest> & { name: string } }[] = [];
  for (const folder of folders) {
    if (!existsSync(join(root, folder))) continue;
    for (const entry of readdirSync(join(root, folder))) {
      const file = join(root, folder, entry, 'package.json');
      if (existsSync(file))
        found.push({ dir: `${folder}/${entry}`, manifest: JSON.parse(readFileSync(file, 'utf8')) });
    }
  }
  const names = new Set(found.map((f) => f.manifest.name));
  const pick = (deps: Record<string, string> | undefined) =>
    Object.keys(deps ?? {}).filter((d) => names.has(d));
  return found.map(({ dir, manifest }) => {
    const runtime = [...pick(manifest.dependencies), ...pick(manifest.peerDependencies)];
    return {
      name: manifest.name,
      dir,
      runtime,
      all: [...new Set([...runtime, ...pick(manifest.devDependencies)])],
    };
  });
}

function closure(start: readonly string[], edges: (name: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length > 0) {
    const next = todo.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    todo.push(...edges(next));
  }
  return seen;
}

/** One line per use of a tool whose runtime dependencies include the user itself or a package above it. */
export function layerViolations(pkgs: readonly WorkspacePackage[]): string[] {
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const runtime = (n: string) => byName.get(n)?.runtime ?? [];
  const all = (n: string) => byName.get(n)?.all ?? [];
  const problems: string[] = [];
  for (const user of pkgs) {
    for (const tool of user.all.map((n) => byName.get(n)!).filter((t) => t.dir.startsWith('tools/'))) {
      for (const dep of closure(tool.runtime, runtime)) {
        const above = dep === user.name || closure(all(dep), all).has(user.name);
        if (above)
          problems.push(`${user.name} uses ${tool.name}, which pulls in ${dep} (at or above ${user.name})`);
      }
    }
  }
  return problems;
}

/** Relative imports that reach into another workspace folder's tools/ instead of naming the package. */
export function relativeToolImports(text: string): string[] {
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"]((?:\.\.\/)+tools\/[^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
}
