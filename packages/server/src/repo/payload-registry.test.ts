/**
 * The contract of `PayloadRegistry` (server.md §3.4) on the SQL implementation, on PGlite and PostgreSQL:
 * `issue` refuses a live duplicate and replaces an expired one; `consume` runs in the caller's transaction, so
 * a rolled-back verification leaves the payload unconsumed; concurrent consumers consume once.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateDevice, createApp, makeServer } from '../../test/harness.js';
import { type OpenedStorage, storageFactories } from '../../test/storages.js';
import type { OffcodeServer } from '../server.js';
import { type IssuedPayload, sqlPayloadRegistry as registry } from './payload-registry.js';
import { findActivation, insertAudit } from './queries.js';

const NOW = new Date(Date.UTC(2025, 4, 1, 10, 0, 0));
const later = (ms: number) => new Date(NOW.getTime() + ms);

describe.each(storageFactories)('PayloadRegistry contract on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  let applicationId: number;
  let activationId: string;

  beforeAll(async () => {
    opened = await factory.open({ poolMax: 8 });
    ({ server } = await makeServer(opened.storage));
    const device = await activateDevice(server, await createApp(server), 3);
    activationId = device.activationId;
    applicationId = (await findActivation(opened.storage, activationId))!.applicationId;
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  const payload = (over: Partial<IssuedPayload> = {}): IssuedPayload => ({
    nonce: randomBytes(16).toString('base64'),
    applicationId,
    activationId,
    protocolVersion: 3,
    keyType: '1',
    dataSha256: new Uint8Array(32),
    bodySha256: null,
    proximity: false,
    now: NOW,
    expiresAt: later(60_000),
    ...over,
  });

  /** An audit row to point `consumed_audit_id` at (the foreign key the verify flow fills). */
  const auditRow = () =>
    insertAudit(opened.storage, {
      activationId,
      userId: 'u',
      applicationId,
      protocolVersion: 3,
      counter: 0,
      ctrData: null,
      status: 3,
      additionalInfo: {},
      dataBase64: '',
      nonce: null,
      codeDigest: null,
      signatureType: 'POSSESSION_KNOWLEDGE',
      valid: true,
      note: 'test',
      now: NOW,
    });

  const issued = async (p: IssuedPayload) => {
    expect(await opened.storage.transaction((tx) => registry.issue(tx, p))).toBe(true);
    return (await opened.storage.transaction((tx) => registry.findForUpdate(tx, applicationId, p.nonce)))!;
  };

  it('issue refuses a live (application, nonce) and replaces an expired one', async () => {
    const p = payload();
    const row = await issued(p);
    expect(row).toMatchObject({ nonce: p.nonce, activationId, consumedAt: null });
    expect(await opened.storage.transaction((tx) => registry.issue(tx, { ...p, expiresAt: later(1) }))).toBe(
      false,
    );
    const replacement = { ...p, now: later(60_000), expiresAt: later(120_000), keyType: '0' };
    expect(await opened.storage.transaction((tx) => registry.issue(tx, replacement))).toBe(true);
    const after = await opened.storage.transaction((tx) =>
      registry.findForUpdate(tx, applicationId, p.nonce),
    );
    expect(after?.id).not.toBe(row.id);
    expect(after?.keyType).toBe('0');
  });

  it('consume inside a rolled-back transaction leaves the payload unconsumed', async () => {
    const row = await issued(payload());
    const auditId = await auditRow();
    const crash = new Error('rolled back after consume');
    await expect(
      opened.storage.transaction(async (tx) => {
        expect(await registry.consume(tx, row.id, auditId, NOW)).toBe(true);
        throw crash;
      }),
    ).rejects.toBe(crash);
    const after = await opened.storage.transaction((tx) =>
      registry.findForUpdate(tx, applicationId, row.nonce),
    );
    expect(after?.consumedAt).toBeNull();
    // Committed, it is consumed exactly once.
    expect(await opened.storage.transaction((tx) => registry.consume(tx, row.id, auditId, NOW))).toBe(true);
    expect(await opened.storage.transaction((tx) => registry.consume(tx, row.id, auditId, NOW))).toBe(false);
  });

  it('concurrent consumers (each locking the row first) consume once', async () => {
    const row = await issued(payload());
    const auditId = await auditRow();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        opened.storage.transaction(async (tx) => {
          const locked = await registry.findForUpdate(tx, applicationId, row.nonce);
          return locked?.consumedAt === null && (await registry.consume(tx, locked.id, auditId, NOW));
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
