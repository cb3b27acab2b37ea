/**
 * The verification's two combined statements (repo/queries.ts, server.md §3.5 step 2), on PGlite and
 * PostgreSQL: `lockForVerify` returns the activation and the payload of its application and nonce (none for
 * an unknown activation or another application's nonce); `writeVerification` writes the update, the audit
 * row and the conditional consumption together, consuming once. On PostgreSQL the lock order: while the
 * activation row is held, a second `lockForVerify` waits without holding the payload row.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateDevice, createApp, makeServer } from '../../test/harness.js';
import { type OpenedStorage, storageFactories, TEST_DATABASE_URL } from '../../test/storages.js';
import type { OffcodeServer } from '../server.js';
import { sqlPayloadRegistry as registry } from './payload-registry.js';
import {
  type AuditInsert,
  CONSUME_REFUSED_SQLSTATE,
  findActivation,
  lockForVerify,
  writeVerification,
} from './queries.js';

const NOW = new Date(Date.UTC(2025, 4, 1, 10, 0, 0));

describe.each(storageFactories)('verify statements on $name', (factory) => {
  let opened: OpenedStorage;
  let server: OffcodeServer;
  let applicationId: number;
  let activationId: string;

  beforeAll(async () => {
    opened = await factory.open({ poolMax: 8 });
    ({ server } = await makeServer(opened.storage));
    activationId = (await activateDevice(server, await createApp(server), 3)).activationId;
    applicationId = (await findActivation(opened.storage, activationId))!.applicationId;
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  const issue = async (appId = applicationId) => {
    const nonce = randomBytes(16).toString('base64');
    const ok = await opened.storage.transaction((tx) =>
      registry.issue(tx, {
        nonce,
        applicationId: appId,
        activationId: appId === applicationId ? activationId : null,
        protocolVersion: 3,
        keyType: '1',
        dataSha256: new Uint8Array(32),
        bodySha256: null,
        proximity: false,
        now: NOW,
        expiresAt: new Date(NOW.getTime() + 60_000),
      }),
    );
    expect(ok).toBe(true);
    return nonce;
  };

  const audit = (nonce: string): AuditInsert => ({
    activationId,
    userId: 'u',
    applicationId,
    protocolVersion: 3,
    counter: 0,
    ctrData: null,
    status: 3,
    additionalInfo: { X: 'Y' },
    dataBase64: 'AA==',
    nonce,
    codeDigest: null,
    signatureType: 'POSSESSION_KNOWLEDGE',
    valid: true,
    note: 'test',
    now: NOW,
  });

  it('locks and reads the activation with the payload of its application and the nonce', async () => {
    const nonce = await issue();
    const got = await opened.storage.transaction((tx) => lockForVerify(tx, activationId, nonce));
    expect(got?.activation.activationId).toBe(activationId);
    expect(got?.payload).toMatchObject({ nonce, applicationId, activationId, consumedAt: null });
    const none = await opened.storage.transaction((tx) => lockForVerify(tx, activationId, 'no-such-nonce'));
    expect(none?.activation.activationId).toBe(activationId);
    expect(none?.payload).toBeNull();
    const plain = await opened.storage.transaction((tx) => lockForVerify(tx, activationId, null));
    expect(plain).toMatchObject({ activation: { activationId }, payload: null });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await opened.storage.transaction((tx) => lockForVerify(tx, unknown, nonce))).toBeNull();
  });

  it("never returns another application's payload for the same nonce", async () => {
    const otherApp = (
      await opened.storage.query<{ id: string }>(
        `INSERT INTO oc_application (name, roles, commit_on_key_exchange, created_at)
         VALUES ($1, '[]', false, now()) RETURNING id`,
        [`other-${randomBytes(4).toString('hex')}`],
      )
    ).rows[0]!.id;
    const nonce = await issue(Number(otherApp));
    const got = await opened.storage.transaction((tx) => lockForVerify(tx, activationId, nonce));
    expect(got?.payload).toBeNull();
  });

  it('writes the update, the audit row and the consumption in one statement, consuming once', async () => {
    const nonce = await issue();
    const payloadId = (await opened.storage.transaction((tx) => lockForVerify(tx, activationId, nonce)))!
      .payload!.id;
    const first = await opened.storage.transaction((tx) =>
      writeVerification(tx, activationId, { failedAttempts: 2 }, audit(nonce), {
        payloadId,
        now: NOW,
        required: false,
      }),
    );
    expect(first.consumed).toBe(true);
    const second = await opened.storage.transaction((tx) =>
      writeVerification(tx, activationId, {}, audit(nonce), { payloadId, now: NOW, required: false }),
    );
    expect(second.consumed).toBe(false);
    const noConsume = await opened.storage.transaction((tx) =>
      writeVerification(tx, activationId, { failedAttempts: 0 }, audit(nonce), null),
    );
    expect(noConsume.consumed).toBeNull();
    const p = await opened.storage.query<{ consumed_audit_id: string }>(
      'SELECT consumed_audit_id FROM oc_offline_payload WHERE id = $1',
      [payloadId],
    );
    expect(Number(p.rows[0]!.consumed_audit_id)).toBe(first.auditId);
    const rows = await opened.storage.query<{ id: string; additional_info: unknown }>(
      'SELECT id, additional_info FROM oc_auth_audit WHERE nonce = $1 ORDER BY id',
      [nonce],
    );
    expect(rows.rows.map((r) => Number(r.id))).toEqual([first.auditId, second.auditId, noConsume.auditId]);
    expect(rows.rows[0]!.additional_info).toEqual({ X: 'Y' });
    expect((await findActivation(opened.storage, activationId))!.failedAttempts).toBe(0);
  });

  it('a required consumption of a consumed payload fails the statement (22012) and leaves nothing', async () => {
    const nonce = await issue();
    const payloadId = (await opened.storage.transaction((tx) => lockForVerify(tx, activationId, nonce)))!
      .payload!.id;
    const consume = { payloadId, now: NOW, required: true };
    const first = await opened.storage.transaction((tx) =>
      writeVerification(tx, activationId, { failedAttempts: 0 }, audit(nonce), consume),
    );
    expect(first.consumed).toBe(true);
    await expect(
      opened.storage.transaction((tx) =>
        writeVerification(tx, activationId, { failedAttempts: 4 }, audit(nonce), consume),
      ),
    ).rejects.toMatchObject({ sqlState: CONSUME_REFUSED_SQLSTATE });
    expect((await findActivation(opened.storage, activationId))!.failedAttempts).toBe(0);
    const rows = await opened.storage.query('SELECT id FROM oc_auth_audit WHERE nonce = $1', [nonce]);
    expect(rows.rows.map((r) => Number(r.id))).toEqual([first.auditId]);
  });

  it('a failing write statement leaves nothing (the transaction rolls back as a whole)', async () => {
    const nonce = await issue();
    const payloadId = (await opened.storage.transaction((tx) => lockForVerify(tx, activationId, nonce)))!
      .payload!.id;
    const bad = { ...audit(nonce), activationId: '00000000-0000-4000-8000-000000000000' }; // foreign key
    await expect(
      opened.storage.transaction((tx) =>
        writeVerification(tx, activationId, { failedAttempts: 3 }, bad, {
          payloadId,
          now: NOW,
          required: false,
        }),
      ),
    ).rejects.toThrow();
    expect((await findActivation(opened.storage, activationId))!.failedAttempts).toBe(0);
    const p = await opened.storage.query<{ consumed_at: unknown }>(
      'SELECT consumed_at FROM oc_offline_payload WHERE id = $1',
      [payloadId],
    );
    expect(p.rows[0]!.consumed_at).toBeNull();
  });

  // PostgreSQL only (PGlite serialises transactions: nothing waits on a row lock there)
  if (factory.name === 'postgresql')
    it('lock order: a second lockForVerify waits on the activation row without holding the payload row', async () => {
      const nonce = await issue();
      const payloadId = (await opened.storage.transaction((tx) => lockForVerify(tx, activationId, nonce)))!
        .payload!.id;
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => {
        locked = r;
      });
      const first = opened.storage.transaction(async (tx) => {
        await tx.query('SELECT 1 FROM oc_activation WHERE activation_id = $1 FOR UPDATE', [activationId]);
        locked();
        await held;
      });
      await isLocked;
      const second = opened.storage.transaction((tx) => lockForVerify(tx, activationId, nonce));
      const side = new pg.Client({
        connectionString: TEST_DATABASE_URL,
        options: `-c search_path=${opened.schema}`,
      });
      await side.connect();
      try {
        // wait until the second statement is blocked on the activation row
        for (let i = 0; i < 100; i++) {
          const w = await side.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH a AS%'",
          );
          if (w.rows[0].n > 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await side.query('BEGIN');
        // NOWAIT: fails at once (55P03) if the waiting statement held the payload row
        const r = await side.query('SELECT id FROM oc_offline_payload WHERE id = $1 FOR UPDATE NOWAIT', [
          payloadId,
        ]);
        expect(r.rows).toHaveLength(1);
        await side.query('ROLLBACK');
      } finally {
        release();
        await first;
        expect((await second)?.payload?.id).toBe(payloadId);
        await side.end();
      }
    });
});
