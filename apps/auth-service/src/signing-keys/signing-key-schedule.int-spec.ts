import { INestApplication } from '@nestjs/common';
import { EventSubject, RpcSubject } from '@signoff/contracts';
import { startRpcService } from '@signoff/service-kit';
import { expectEventually } from '@signoff/testing';
import { AuthServiceModule } from '../app.module';
import { AuthHarness } from '../testing/auth-test-harness';
import { SigningKeyRotation } from './signing-key-rotation.service';

/**
 * The rotation schedule with two replicas on one database, each with its timer looking every
 * second: whoever looks first rotates, the other finds the rotation done.
 */
describe('signing-key rotation schedule (two replicas)', () => {
  let auth: AuthHarness;
  let second: INestApplication | undefined;
  let replicas: SigningKeyRotation[];

  beforeAll(async () => {
    // The publish lead is the window in which a rotated-in key answers further on-demand
    // rotations: 1 s was shorter than six lock-serialised calls (one generating an RSA key) take
    // on a loaded CI machine, and a second key was then rightly created. 4 s covers them.
    auth = await AuthHarness.start({ SIGNING_KEY_PUBLISH_LEAD_SECONDS: '4', SIGNING_KEY_CHECK_INTERVAL_SECONDS: '1', SIGNING_KEY_ROTATION_DAYS: '30' });
    const { config } = auth;
    second = await startRpcService(AuthServiceModule.forRoot(config), {
      serviceName: 'auth-service',
      queue: 'auth-service',
      natsUrl: config.NATS_URL,
      namespace: config.NATS_NAMESPACE,
      httpHost: config.HTTP_HOST,
      httpPort: config.HTTP_PORT,
    });
    replicas = [auth.app.get(SigningKeyRotation), second.get(SigningKeyRotation)];
  });

  afterAll(async () => {
    await second?.close();
    await auth?.close();
  });

  async function kids(): Promise<string[]> {
    const { rows } = await auth.sql.query<{ kid: string }>('SELECT kid FROM auth.signing_keys ORDER BY created_at');
    return rows.map((r) => r.kid);
  }

  it('rotates nothing before the rotation is due', async () => {
    const before = await kids();
    expect(before).toHaveLength(1);
    const changes = await Promise.all(replicas.map((r) => r.runSchedule()));
    expect(changes.map((c) => c.created)).toEqual([undefined, undefined]);
    expect(await kids()).toEqual(before);
  });

  it('creates exactly one key per due time, however many replicas look at once', async () => {
    for (let due = 1; due <= 2; due++) {
      const before = await kids();
      // The newest key turns 30 days old: a rotation is due, for the timers and for us.
      await auth.sql.query(`UPDATE auth.signing_keys SET created_at = created_at - interval '30 days'`);
      const changes = await Promise.all([...replicas, ...replicas].map((r) => r.runSchedule()));
      // One of these looks created it, or a replica's own timer was quicker than all of them.
      expect(changes.filter((c) => c.created).length).toBeLessThanOrEqual(1);
      const after = await kids();
      expect(after).toHaveLength(before.length + 1);
      expect(after.slice(0, -1).sort()).toEqual([...before].sort());
      // Later looks, on every replica, find nothing due.
      expect((await Promise.all(replicas.map((r) => r.runSchedule()))).map((c) => c.created)).toEqual([undefined, undefined]);
      expect(await kids()).toEqual(after);
    }
    const events = await expectEventually(() => {
      const found = auth.events.of(EventSubject.keysRotated);
      expect(found).toHaveLength(2);
      return found;
    });
    const created = (await kids()).slice(1);
    expect(events.map((e) => e.kid)).toEqual(created);
    expect(events.map((e) => e.retiredKids)).toEqual([[], []]);
  });

  it('answers concurrent on-demand rotations, on either replica, with one new key', async () => {
    await expectEventually(async () => {
      // Wait for the last scheduled key to sign: until then it is the answer, not a new one.
      const { rows } = await auth.sql.query<{ pending: number }>('SELECT count(*)::int AS pending FROM auth.signing_keys WHERE activated_at > now()');
      expect(rows[0].pending).toBe(0);
    }, { timeoutMs: 15_000, intervalMs: 100 });
    const before = await kids();
    const replies = await Promise.all(Array.from({ length: 6 }, () => auth.client.call(RpcSubject.rotateSigningKeys, {})));
    expect(new Set(replies.map((r) => r.kid)).size).toBe(1);
    expect(replies.filter((r) => r.created)).toHaveLength(1);
    expect(await kids()).toEqual([...before, replies[0].kid]);
  });
});
