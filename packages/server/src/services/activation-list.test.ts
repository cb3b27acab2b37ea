import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateDevice, createApp, makeServer, type TestClock, uniqueName } from '../../test/harness.js';
import { type OpenedStorage, storageFactories } from '../../test/storages.js';
import { OffcodeError } from '../errors.js';
import type { OffcodeServer } from '../server.js';
import { ACTIVATION_LIST_MAX_PAGE_SIZE } from './activation-list.js';

const ITEM_KEYS = [
  'activationFlags',
  'activationId',
  'activationName',
  'activationStatus',
  'applicationId',
  'blockExpiresAt',
  'blockedReason',
  'protocolVersion',
  'timestampCreated',
  'timestampLastChange',
  'timestampLastUsed',
  'userId',
];

describe.each(storageFactories)('activations.list on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  let clock: TestClock;
  let appA: string;
  let appB: string;
  const user = uniqueName('user');
  /** Activation ids of `user`, oldest first: [A created, A active v3, A active v4, A blocked, B active]. */
  const ids: string[] = [];

  beforeAll(async () => {
    opened = await factory.open();
    ({ server, clock } = await makeServer(opened.storage));
    appA = await createApp(server);
    appB = await createApp(server, { commitOnKeyExchange: true });
    const step = () => clock.advance(1000);
    ids.push((await server.activations.init({ userId: user, applicationId: appA })).activationId);
    step();
    ids.push((await activateDevice(server, appA, 3, { userId: user })).activationId);
    step();
    ids.push((await activateDevice(server, appA, 4, { userId: user })).activationId);
    step();
    const blocked = await activateDevice(server, appA, 4, { userId: user });
    await server.activations.block({ activationId: blocked.activationId, reason: 'LOST' });
    ids.push(blocked.activationId);
    step();
    ids.push((await activateDevice(server, appB, 3, { userId: user })).activationId);
    step();
    await server.activations.init({ userId: uniqueName('someone-else'), applicationId: appA });
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it("lists a user's activations newest first, with state and no key material", async () => {
    const page = await server.activations.list({ userId: user });
    expect(page.userId).toBe(user);
    expect(page.pageNumber).toBe(0);
    expect(page.pageSize).toBe(100);
    expect(page.activations.map((a) => a.activationId)).toEqual([...ids].reverse());
    for (const item of page.activations) expect(Object.keys(item).sort()).toEqual(ITEM_KEYS);
    const [b, blocked, v4, v3, created] = page.activations;
    expect(b).toMatchObject({
      applicationId: appB,
      activationStatus: 'ACTIVE',
      protocolVersion: 3,
      userId: user,
    });
    expect(blocked).toMatchObject({ activationStatus: 'BLOCKED', blockedReason: 'LOST', protocolVersion: 4 });
    expect(v4).toMatchObject({ activationStatus: 'ACTIVE', blockedReason: null, protocolVersion: 4 });
    expect(v3?.protocolVersion).toBe(3);
    expect(created).toMatchObject({
      activationStatus: 'CREATED',
      protocolVersion: null,
      timestampLastUsed: null,
    });
    expect(Date.parse(created!.timestampCreated)).toBeLessThan(Date.parse(v3!.timestampCreated));
  });

  it('filters by application and by statuses', async () => {
    const inA = await server.activations.list({ userId: user, applicationId: appA });
    expect(inA.activations.map((a) => a.activationId)).toEqual(ids.slice(0, 4).reverse());
    const active = await server.activations.list({ userId: user, activationStatuses: ['ACTIVE'] });
    expect(active.activations.map((a) => a.activationId)).toEqual([ids[4], ids[2], ids[1]]);
    const newestActiveInA = await server.activations.list({
      userId: user,
      applicationId: appA,
      activationStatuses: ['ACTIVE'],
      pageSize: 1,
    });
    expect(newestActiveInA.activations.map((a) => a.activationId)).toEqual([ids[2]]);
    const some = await server.activations.list({
      userId: user,
      activationStatuses: ['CREATED', 'BLOCKED', 'CREATED'],
    });
    expect(some.activations.map((a) => a.activationId)).toEqual([ids[3], ids[0]]);
    expect((await server.activations.list({ userId: user, activationStatuses: [] })).activations).toEqual([]);
    expect((await server.activations.list({ userId: 'nobody' })).activations).toEqual([]);
  });

  it('property: the pages of any size concatenate to the full list, in order, without repeats', async () => {
    const all = (await server.activations.list({ userId: user })).activations.map((a) => a.activationId);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), async (pageSize) => {
        const seen: string[] = [];
        for (let pageNumber = 0; ; pageNumber++) {
          const page = await server.activations.list({ userId: user, pageSize, pageNumber });
          expect(page.activations.length).toBeLessThanOrEqual(pageSize);
          seen.push(...page.activations.map((a) => a.activationId));
          if (page.activations.length < pageSize) break;
        }
        expect(seen).toEqual(all);
      }),
      { numRuns: 8 },
    );
  });

  it('refuses bad input with ERR0024 naming the field, an unknown application with ERR0015', async () => {
    const cases: [unknown, string][] = [
      [{}, 'userId'],
      [{ userId: '' }, 'userId'],
      [{ userId: 'u\u0000' }, 'userId'],
      [{ userId: 'u', applicationId: 'x'.repeat(256) }, 'applicationId'],
      [{ userId: 'u', activationStatuses: 'ACTIVE' }, 'activationStatuses'],
      [{ userId: 'u', activationStatuses: ['active'] }, 'activationStatuses[0]'],
      [{ userId: 'u', activationStatuses: Array(6).fill('ACTIVE') }, 'activationStatuses'],
      [{ userId: 'u', pageSize: 0 }, 'pageSize'],
      [{ userId: 'u', pageSize: ACTIVATION_LIST_MAX_PAGE_SIZE + 1 }, 'pageSize'],
      [{ userId: 'u', pageNumber: -1 }, 'pageNumber'],
      [{ userId: 'u', pageNumber: 1.5 }, 'pageNumber'],
      [null, ''],
    ];
    for (const [request, field] of cases) {
      const error = await server.activations.list(request).catch((e: unknown) => e);
      expect(error, JSON.stringify(request)).toBeInstanceOf(OffcodeError);
      expect((error as OffcodeError).code).toBe('ERR0024');
      if (field) expect((error as OffcodeError).field).toBe(field);
    }
    await expect(
      server.activations.list({ userId: user, applicationId: uniqueName('none') }),
    ).rejects.toMatchObject({
      code: 'ERR0015',
      field: 'applicationId',
    });
  });
});
