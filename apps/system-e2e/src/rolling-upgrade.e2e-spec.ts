import { EventSubject, Stream } from '@signoff/contracts';
import { SignedOutEvent } from '@signoff/device-client';
import { NatsNamespace } from '@signoff/messaging';
import { expectEventually } from '@signoff/testing';
import { connect, NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { http, TestStack } from './support/test-stack';

/** The session id inside an access token (its `sid` claim). */
function sessionIdOf(accessToken: string): string {
  return (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
}

/**
 * A rolling upgrade: a newer auth-service already publishes events with a field this release
 * has never heard of, while these gateways and this registry still run. They must apply what
 * they know (cut the device, record its progress) and ignore the rest, never skip the event.
 */
describe('a newer producer mid-upgrade', () => {
  let stack: TestStack;
  let nc: NatsConnection;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
    nc = await connect({ servers: stack.natsUrl });
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  }, 60_000);

  it('applies a revocation carrying an unknown field: the device is cut on its gateway, refused on both, recorded by the registry', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const namespace = new NatsNamespace(stack.namespace);
    const revocationId = randomUUID();
    const token = tv.tokens!.accessToken;
    const signedOut = new Promise<SignedOutEvent>((resolve) => tv.once('signed-out', resolve));

    await nc.jetstream().publish(
      namespace.subject(EventSubject.sessionRevoked),
      JSON.stringify({
        eventId: randomUUID(),
        occurredAt: new Date().toISOString(),
        revocationId,
        accountId: holder.accountId,
        sessionIds: [sessionIdOf(token)],
        deviceIds: ['tv'],
        reason: 'sign_out_device',
        // What a v1.1 producer might add: consumers of v1 must not choke on it.
        initiatedFrom: { deviceId: 'phone', country: 'NZ' },
        riskScore: 0.2,
      }),
    );

    expect((await signedOut).revocationId).toBe(revocationId);
    for (const gateway of [0, 1]) {
      const refused = await http(stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token });
      expect(refused.status).toBe(401);
    }
    await expectEventually(async () => {
      const progress = await phone.request<{ devices: Array<{ deviceId: string; state: string }> }>('GET', `/v1/revocations/${revocationId}`);
      expect(progress.devices).toEqual([expect.objectContaining({ deviceId: 'tv', state: expect.stringMatching(/^(cut|acknowledged)$/) })]);
    });
    const parked = await (await nc.jetstreamManager()).streams.info(namespace.streamName(Stream.parked));
    expect(parked.state.messages).toBe(0);
  });
});
