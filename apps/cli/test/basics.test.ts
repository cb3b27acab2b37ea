import { describe, expect, it } from 'vitest';
import { cli, expectFailure, expectOk, offcode } from './helpers.js';

const COMMANDS = [
  [],
  ['qr'],
  ['qr', 'parse'],
  ['qr', 'render'],
  ['code'],
  ['token'],
  ['token', 'activate'],
  ['token', 'approve'],
  ['token', 'status'],
  ['token', 'remove'],
];

describe('offcode: conventions (client.md §5.1), in-process', () => {
  it.each(COMMANDS.map((c) => [c.join(' ') || '(root)', c]))(
    '%s --help prints usage on stdout, exit 0',
    async (_n, cmd) => {
      const r = await cli([...cmd, '--help']);
      expectOk(r);
      expect(r.stdout).toMatch(/^Usage: offcode/);
      expect(r.stdout).toContain('--help');
    },
  );

  it('token commands that take a PIN say where it comes from and that --pin is visible to other users', async () => {
    for (const cmd of ['activate', 'approve', 'remove']) {
      const help = (await cli(['token', cmd, '--help'])).stdout;
      expect(help).toMatch(/visible to other local users/);
      expect(help).toMatch(/--pin-stdin/);
      expect(help).toMatch(/asked on the terminal/);
    }
  });

  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    expectOk(r);
    expect(r.stdout).toBe('0.1.0\n');
  });

  it.each([
    ['no command', []],
    ['unknown command', ['frobnicate']],
    ['unknown subcommand', ['qr', 'scan']],
    ['unknown option', ['qr', 'parse', '--fast']],
    ['excess argument', ['qr', 'parse', 'extra']],
    ['missing option value', ['token', 'status', '--state']],
    ['missing required option', ['token', 'activate', '--server', 'http://127.0.0.1:9']],
    [
      'invalid choice',
      ['code', '--protocol', '5', '--type', 'possession', '--ctr', 'AA==', '--data-b64', ''],
    ],
    [
      'conflicting --pin and --biometry',
      ['token', 'approve', '--state', 'x.json', '--pin', '1234', '--biometry'],
    ],
    ['conflicting --pin and --pin-stdin', ['token', 'approve', '--pin', '1234', '--pin-stdin']],
    ['conflicting --png and --svg', ['qr', 'render', '--png', 'a.png', '--svg', 'a.svg']],
  ])('%s → exit 2 with one INVALID_INPUT line', async (_n, args) => {
    expectFailure(await cli(args), 2, 'INVALID_INPUT');
  });

  it('options accept --name=value as well as --name value', async () => {
    const a = await cli(['token', 'status', '--state=/nonexistent/dir/s.json']);
    const b = await cli(['token', 'status', '--state', '/nonexistent/dir/s.json']);
    expectFailure(a, 1, 'NOT_ACTIVATED');
    expect(a.stderr).toBe(b.stderr);
  });

  it('OFFCODE_DEBUG=1 may add detail lines after the first one', async () => {
    const r = await cli(['token', 'status', '--state', '/nonexistent/s.json'], {
      env: { OFFCODE_DEBUG: '1' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/^offcode: NOT_ACTIVATED: /);
    expect(r.stderr.split('\n').length).toBeGreaterThan(2);
  });
});

describe('the built binary (bin/offcode.js → dist/cli.js): exit codes of the process', () => {
  it('--help and --version exit 0 with output on stdout only', () => {
    const help = offcode(['--help']);
    expectOk(help);
    expect(help.stdout).toMatch(/^Usage: offcode/);
    const version = offcode(['--version']);
    expectOk(version);
    expect(version.stdout).toBe('0.1.0\n');
  });

  it('invalid input exits 2, a runtime failure exits 1, each with one stderr line', () => {
    expectFailure(offcode(['frobnicate']), 2, 'INVALID_INPUT');
    expectFailure(offcode(['qr', 'parse'], { input: 'not a payload' }), 2, 'INVALID_QR');
    expectFailure(offcode(['token', 'status', '--state', '/nonexistent/dir/s.json']), 1, 'NOT_ACTIVATED');
  });

  it('a result on stdout reaches a pipe in full before the process exits', () => {
    const r = offcode(['qr', 'render'], { input: 'x'.repeat(2000) });
    expectOk(r);
    expect(r.stdout.split('\n').length).toBeGreaterThan(40);
  });
});
