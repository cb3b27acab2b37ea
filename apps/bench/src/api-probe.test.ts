// The API probe in a real child process (`node --import api-probe.mjs`): silent before `start`; between
// `start` and `stop` it counts the verify phase messages and times verify requests on Node's HTTP server
// channels, and writes a V8 CPU profile that the summariser reads.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { summariseProfile } from './cpu-profile.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// A stand-in API: publishes one phase message per verify request, as @offcode/server does.
const SERVER = `
import { channel } from 'node:diagnostics_channel';
import http from 'node:http';
const phases = channel('offcode:verify:phases');
const server = http.createServer((req, res) => {
  if (req.url.endsWith('/offline/verify') && phases.hasSubscribers)
    phases.publish({ parse: 1, lock: 2, keys: 0.5, search: 0.25, writes: 0.25, commit: 1, total: 5, protocolVersion: 3, result: 'valid' });
  res.end('{}');
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

describe('api-probe', () => {
  it('reports the phases and HTTP time of verify requests between start and stop, and a CPU profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-test-'));
    const child = spawn(
      process.execPath,
      ['--import', join(here, 'api-probe.mjs'), '--input-type=module', '-e', SERVER],
      {
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    try {
      const port = await new Promise<number>((resolve) => {
        child.stdout!.on('data', (d: Buffer) => {
          const m = /port (\d+)/.exec(String(d));
          if (m) resolve(Number(m[1]));
        });
      });
      const send = (message: object, answer: string) =>
        new Promise<Record<string, unknown>>((resolve) => {
          const on = (m: Record<string, unknown>) => {
            if (m.probe === answer || m.probe === 'error') {
              child.off('message', on);
              resolve(m);
            }
          };
          child.on('message', on);
          child.send(message);
        });
      const get = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).text();
      await get('/rest/v3/signature/offline/verify'); // before start: not counted
      expect((await send({ probe: 'start', profile: true }, 'started')).probe).toBe('started');
      for (let i = 0; i < 5; i++) await get('/rest/v3/signature/offline/verify');
      await get('/healthz'); // not a verify request
      const profilePath = join(dir, 'p.cpuprofile');
      const { report } = (await send({ probe: 'stop', profilePath }, 'stopped')) as {
        report: { verifies: number; requests: number; phases: Record<string, number>; http_ms: number };
      };
      expect(report.verifies).toBe(5);
      expect(report.requests).toBe(5);
      expect(report.phases).toMatchObject({ parse: 1, lock: 2, total: 5 });
      expect(report.http_ms).toBeGreaterThan(0);
      const summary = summariseProfile(JSON.parse(readFileSync(profilePath, 'utf8')));
      expect(summary.totalMs).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
