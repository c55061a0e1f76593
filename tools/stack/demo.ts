import { DeviceClient } from '@signoff/device-client';
import { randomBytes } from 'node:crypto';

/**
 * Shows the stack working: a demo account signs in on a TV (first gateway) and a phone
 * (second gateway); the TV starts a stream; the phone signs out of all devices; the TV's
 * control channel receives the logout directive and closes, on the other gateway.
 */
export async function runDemo(gatewayUrls: string[]): Promise<void> {
  const [first, second = first] = gatewayUrls;
  const email = `demo-${randomBytes(4).toString('hex')}@signoff.test`;
  const password = `demo-${randomBytes(8).toString('hex')}`;
  const step = (text: string) => console.log(`  demo: ${text}`);
  console.log('Demonstration (SIGNOFF_DEMO=off skips it):');

  const signUp = await fetch(`${first}/v1/accounts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, plan: 'standard' }),
  });
  if (!signUp.ok) {
    const retryAfter = signUp.headers.get('retry-after');
    throw new Error(`sign-up answered HTTP ${signUp.status}${retryAfter ? `, retry after ${retryAfter} s` : ''}`);
  }
  step(`created ${email}`);

  const tv = new DeviceClient({ baseUrl: first, device: { id: 'demo-tv', type: 'tv', name: 'Living room TV', os: 'webOS' } });
  const phone = new DeviceClient({ baseUrl: second, device: { id: 'demo-phone', type: 'phone', name: 'Phone', os: 'Android' } });
  await tv.signIn(email, password);
  await phone.signIn(email, password);
  await tv.connect();
  const { playbackId } = await tv.startPlayback('demo-title');
  step(`TV signed in on ${first}, streaming (playback ${playbackId}); phone signed in on ${second}`);

  const tvToken = tv.tokens?.accessToken ?? '';
  const signedOut = new Promise<{ revocationId: string }>((resolve) => tv.once('signed-out', resolve));
  const closed = tv.closed();
  const { reauthToken } = await phone.request<{ reauthToken: string }>('POST', '/v1/auth/step-up', { password });
  step('phone confirmed the password (step-up)');
  const started = performance.now();
  const { revocationId } = await phone.request<{ revocationId: string }>('POST', '/v1/sessions/revoke-all', {}, { 'X-Reauth-Token': reauthToken });
  const event = await signedOut;
  const { code } = await closed;
  step(`phone signed out of all devices (revocation ${revocationId})`);
  step(`TV got the logout directive ${(performance.now() - started).toFixed(1)} ms after the call, on the other gateway; channel closed with ${code}`);
  for (const url of [first, second]) {
    const refused = await fetch(`${url}/v1/auth/whoami`, { headers: { Authorization: `Bearer ${tvToken}` } });
    const body = (await refused.json()) as { error?: { code: string } };
    step(`TV's old access token on ${url}: HTTP ${refused.status} ${body.error?.code ?? ''}`);
  }
  const tvStream = await fetch(`${first}/v1/playback/sessions/${playbackId}/heartbeat`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tvToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ positionMs: 1000, state: 'playing' }),
  });
  step(`TV's stream heartbeat: HTTP ${tvStream.status}; revocation in directive ${event.revocationId === revocationId ? 'matches' : 'DIFFERS'}`);
}
