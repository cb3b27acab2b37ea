// Loaded into an API child process with `node --import <this file>` (the bench's "where the time goes"
// point): it listens to the server's verify phase channel (server.md §3.5 "Phase timings") and to Node's
// HTTP server channels, and takes a V8 CPU profile (the same profile `node --cpu-prof` writes) — only between
// a `start` and a `stop` message on the IPC channel, so start-up and seeding stay out of it. Nothing is
// measured and nothing listens before `start`. Reports means in milliseconds; never a request body.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const PHASES = ['parse', 'lock', 'keys', 'search', 'writes', 'commit', 'total'];
const VERIFY_PATH = /\/offline\/verify$/;

let state = null;

function newState() {
  return {
    phases: Object.fromEntries(PHASES.map((p) => [p, 0])),
    verifies: 0,
    http: 0,
    requests: 0,
    started: new WeakMap(),
  };
}

const onPhases = (m) => {
  for (const p of PHASES) state.phases[p] += m[p];
  state.verifies++;
};
const onRequestStart = ({ request, response }) => {
  if (VERIFY_PATH.test(request.url ?? '')) state.started.set(response, performance.now());
};
const onResponseFinish = ({ response }) => {
  const t = state.started.get(response);
  if (t === undefined) return;
  state.http += performance.now() - t;
  state.requests++;
};

const channels = [
  ['offcode:verify:phases', onPhases],
  ['http.server.request.start', onRequestStart],
  ['http.server.response.finish', onResponseFinish],
];

function post(session, method, params = {}) {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

let session = null;

async function start({ profile, samplingIntervalUs }) {
  state = newState();
  for (const [name, fn] of channels) subscribe(name, fn);
  if (profile) {
    session = new Session();
    session.connect();
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: samplingIntervalUs ?? 1000 });
    await post(session, 'Profiler.start');
  }
}

async function stop({ profilePath }) {
  for (const [name, fn] of channels) unsubscribe(name, fn);
  if (session) {
    const { profile } = await post(session, 'Profiler.stop');
    session.disconnect();
    session = null;
    if (profilePath) writeFileSync(profilePath, JSON.stringify(profile));
  }
  const mean = (v, n) => (n ? v / n : null);
  return {
    verifies: state.verifies,
    requests: state.requests,
    phases: Object.fromEntries(PHASES.map((p) => [p, mean(state.phases[p], state.verifies)])),
    http_ms: mean(state.http, state.requests),
  };
}

if (process.send) {
  process.on('message', (message) => {
    if (message?.probe === 'start') {
      start(message).then(
        () => process.send({ probe: 'started' }),
        (error) => process.send({ probe: 'error', message: String(error) }),
      );
    } else if (message?.probe === 'stop') {
      stop(message).then(
        (report) => process.send({ probe: 'stopped', report }),
        (error) => process.send({ probe: 'error', message: String(error) }),
      );
    }
  });
  // The IPC channel must not keep the API alive once it is asked to stop.
  process.channel?.unref();
}
