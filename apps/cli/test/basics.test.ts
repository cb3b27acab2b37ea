import { describe, expect, it } from 'vitest';
import { expectFailure, expectOk, offcode } from './helpers.js';

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
];

describe('offcode: conventions (client.md §5.1)', () => {
  it.each(COMMANDS.map((c) => [c.join(' ') || '(root)', c]))(
    '%s --help prints usage on stdout, exit 0',
    (_n, cmd) => {
      const r = offcode([...cmd, '--help']);
      expectOk(r);
      expect(r.stdout).toMatch(/^Usage: offcode/);
      expect(r.stdout).toContain('--help');
    },
  );

  it('token commands that take --pin warn that it is visible to other users', () => {
    for (const cmd of ['activate', 'approve'])
      expect(offcode(['token', cmd, '--help']).stdout).toMatch(/visible to other local users/);
  });

  it('--version prints the package version', () => {
    const r = offcode(['--version']);
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
    ['missing required option', ['token', 'status']],
    [
      'invalid choice',
      ['code', '--protocol', '5', '--type', 'possession', '--ctr', 'AA==', '--data-b64', ''],
    ],
    [
      'conflicting --pin and --biometry',
      ['token', 'approve', '--state', 'x.json', '--pin', '1234', '--biometry'],
    ],
    ['conflicting --png and --svg', ['qr', 'render', '--png', 'a.png', '--svg', 'a.svg']],
  ])('%s → exit 2 with one INVALID_INPUT line', (_n, args) => {
    expectFailure(offcode(args), 2, 'INVALID_INPUT');
  });

  it('options accept --name=value as well as --name value', () => {
    const a = offcode(['token', 'status', '--state=/nonexistent/dir/s.json']);
    const b = offcode(['token', 'status', '--state', '/nonexistent/dir/s.json']);
    expectFailure(a, 1, 'NOT_ACTIVATED');
    expect(a.stderr).toBe(b.stderr);
  });

  it('OFFCODE_DEBUG=1 may add detail lines after the first one', () => {
    const r = offcode(['token', 'status', '--state', '/nonexistent/s.json'], { env: { OFFCODE_DEBUG: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/^offcode: NOT_ACTIVATED: /);
    expect(r.stderr.split('\n').length).toBeGreaterThan(2);
  });
});
