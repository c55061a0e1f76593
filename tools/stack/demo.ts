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
  if (!signUp.ok) throw new Error(`demo sign-up failed: HTTP ${signUp.status}`);
  step(`created ${email}`);

  const tv = new DeviceClient({ baseUrl: first, device: { id: 'demo-tv', type: 'tv', name: 'Living room TV', os: 'webOS' } });
  const phone = new DeviceClient({ baseUrl: second, device: { id: 'demo-phone', type: 'phone', name: 'Phone', os: 'Android' } });
  await tv.signIn(email, password);
  await phone.signIn(email, password);
  await tv.connect();
  const { playbackId } = await tv.startPlayback('demo-title');
  step(`TV signed in on ${first}, streaming (playback ${playbackId}); phone signed in on ${second}`);

  const signedOut = new Promise<{ revocationId: string }>((resolve) => tv.once('signed-out', resolve));
  const started = performance.now();
  const { revocationId } = await phone.signOutEverywhere(password);
  const event = await signedOut;
  step(`phone signed out of all devices (revocation ${revocationId}); TV received the logout directive after ${(performance.now() - started).toFixed(1)} ms`);
  await tv.closed();
  step('TV control channel closed with 4001; its stream has ended');
  const refused = await fetch(`${first}/v1/auth/whoami`, { headers: { Authorization: `Bearer ${tv.tokens?.accessToken ?? 'gone'}` } });
  step(`TV's old token now gets HTTP ${refused.status} (tokens forgotten: ${tv.tokens === undefined}); revocation ${event.revocationId === revocationId ? 'matches' : 'differs'}`);
}
