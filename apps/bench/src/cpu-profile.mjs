// Summarises a V8 CPU profile (.cpuprofile, as `node --cpu-prof` or the inspector writes it) into self time
// per module (package) and per verify phase. A sample belongs to the phase of the nearest function on its
// stack that is a named verify step (PHASE_MARKERS); a sample without one goes by the nearest frame that is
// not Node's own: the pg driver (answers being parsed, outside any step), the HTTP stack (Fastify and its
// helpers, apps/api), other server code; only Node frames: Node's sockets, HTTP parser and timers.

/** Function names of the server's verify steps → phase (services/verify*, storage transaction). */
export const PHASE_MARKERS = new Map([
  ['readVerifyRequest', 'parse and validate'],
  ['readTypedVerifyRequest', 'parse and validate'],
  ['auditCodeDigest', 'parse and validate'],
  ['lockActivation', 'lock and read'],
  ['lockForVerify', 'lock and read'],
  ['checkRegistry', 'lock and read'],
  ['deriveFactorKeys', 'unseal and derive keys'],
  ['searchCode', 'search'],
  ['checkState', 'writes'],
  ['applySuccess', 'writes'],
  ['applyFailure', 'writes'],
  ['auditVerification', 'writes'],
  ['writeVerification', 'writes'],
  ['transaction', 'BEGIN and COMMIT'],
]);

const PG_PACKAGES = /^(pg|pg-.*|postgres-.*)$/;
const HTTP_PACKAGES =
  /^(fastify|helmet|@pinojs\/.*|@fastify\/.*|find-my-way|avvio|light-my-request|pino.*|fast-json-stringify|fast-uri|secure-json-parse|abstract-logging|thread-stream|sonic-boom|ajv.*|json-schema-.*|process-warning|toad-cache|rfdc|fast-querystring|fast-decode-uri-component|safe-regex2|ret|apps\/api|@offcode\/fastify)$/;

/** The module of a call frame: a package name, `apps/x`, `node`, `wasm` or a V8 pseudo-frame name. */
export function moduleOf(callFrame) {
  const { url, functionName } = callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  if (url.startsWith('wasm://')) return 'wasm';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const ws = /\/(packages|apps|tools)\/([^/]+)\//.exec(url);
  if (ws) return ws[1] === 'packages' ? `@offcode/${ws[2]}` : `${ws[1]}/${ws[2]}`;
  return 'other';
}

function fallbackPhase(modules) {
  // modules: from the sample's frame up to the root
  for (const m of modules) {
    if (m === 'node' || m === '(root)' || m === '(native)') continue;
    if (m === '(garbage collector)') return 'GC';
    if (m === '(program)') return 'V8 and native (program)';
    if (m === '(idle)') return '(idle)';
    if (PG_PACKAGES.test(m)) return 'pg driver (answers)';
    if (m === 'apps/bench') return 'bench probe (timers)';
    if (HTTP_PACKAGES.test(m)) return 'HTTP (Fastify, apps/api)';
    if (m.startsWith('@offcode/')) return 'other server code';
    return `other (${m})`;
  }
  return 'Node (sockets, HTTP parser, timers)';
}

/** `{ totalMs, idleMs, byModule: [{ name, ms, pct }], byPhase: [{ name, ms, pct }] }`; pct of non-idle time. */
export function summariseProfile(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // A native frame (no URL: JSON, crypto bindings, builtins) counts for the module that called it.
  const moduleCache = new Map();
  const moduleOfNode = (id) => {
    if (moduleCache.has(id)) return moduleCache.get(id);
    let mod = moduleOf(nodes.get(id).callFrame);
    if (mod === '(native)') {
      let cur = parent.get(id);
      while (cur !== undefined && moduleOf(nodes.get(cur).callFrame).startsWith('(')) cur = parent.get(cur);
      mod = cur === undefined ? '(native)' : `${moduleOf(nodes.get(cur).callFrame)} (native)`;
    }
    moduleCache.set(id, mod);
    return mod;
  };
  const phaseCache = new Map();
  const phaseOf = (id) => {
    if (phaseCache.has(id)) return phaseCache.get(id);
    const modules = [];
    let phase = null;
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = nodes.get(cur).callFrame;
      const marker = PHASE_MARKERS.get(frame.functionName);
      if (marker && moduleOf(frame).startsWith('@offcode/')) {
        phase = marker;
        break;
      }
      modules.push(moduleOf(frame));
    }
    phase ??= fallbackPhase(modules);
    phaseCache.set(id, phase);
    return phase;
  };
  const byModule = new Map();
  const byPhase = new Map();
  const { samples, timeDeltas } = profile;
  const meanDelta = timeDeltas.length ? timeDeltas.reduce((a, b) => a + b, 0) / timeDeltas.length : 0;
  let idleUs = 0;
  let totalUs = 0;
  for (let i = 0; i < samples.length; i++) {
    // a sample lasts until the next one
    const us = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : meanDelta;
    const node = nodes.get(samples[i]);
    const mod = moduleOfNode(node.id);
    totalUs += us;
    if (mod === '(idle)') {
      idleUs += us;
      continue;
    }
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    const phase = phaseOf(samples[i]);
    byPhase.set(phase, (byPhase.get(phase) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const list = (m) =>
    [...m.entries()]
      .map(([name, us]) => ({
        name,
        ms: +(us / 1000).toFixed(1),
        pct: busyUs ? +((us / busyUs) * 100).toFixed(1) : 0,
      }))
      .sort((a, b) => b.ms - a.ms);
  return {
    totalMs: +(totalUs / 1000).toFixed(1),
    idleMs: +(idleUs / 1000).toFixed(1),
    byModule: list(byModule),
    byPhase: list(byPhase),
  };
}
