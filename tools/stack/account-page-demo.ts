import { DeviceClient } from '@signoff/device-client';
import { randomBytes } from 'node:crypto';

/** Kept for as long as the stack runs: the household's devices stay signed in and connected. */
const household: DeviceClient[] = [];

/**
 * A household to try the account page with: a TV streaming on one gateway, a phone on the
 * other (both with their control channels open) and a tablet that is off. Prints where to sign
 * in; each device says here when the page signs it out.
 */
export async function runAccountPageDemo(gatewayUrls: string[]): Promise<void> {
  const [first, second = first] = gatewayUrls;
  const email = `household-${randomBytes(3).toString('hex')}@signoff.test`;
  const password = `household-${randomBytes(6).toString('hex')}`;
  const signUp = await fetch(`${first}/v1/accounts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, plan: 'premium' }),
  });
  if (!signUp.ok) throw new Error(`sign-up answered HTTP ${signUp.status}`);

  const tv = new DeviceClient({ baseUrl: second, device: { id: 'household-tv', type: 'tv', name: 'Living room TV', os: 'webOS 24' } });
  const phone = new DeviceClient({ baseUrl: second, device: { id: 'household-phone', type: 'phone', name: 'Phone', os: 'Android 15' } });
  const tablet = new DeviceClient({ baseUrl: first, device: { id: 'household-tablet', type: 'tablet', name: 'Kitchen tablet', os: 'iPadOS 18' } });
  for (const device of [tv, phone, tablet]) {
    await device.signIn(email, password);
    household.push(device);
  }
  await Promise.all([tv.connect(), phone.connect()]);
  await tv.startPlayback('the-night-train');
  for (const [name, device] of [['TV', tv], ['phone', phone]] as const) {
    device.on('signed-out', (event) => console.log(`  account page demo: the ${name} was signed out (${event.via}, revocation ${event.revocationId})`));
  }
  const page = `${first.replace('127.0.0.1', 'localhost')}/account`;
  console.log(
    [
      '',
      'Account page: open ' + page,
      `  sign in as ${email} / ${password}`,
      '  the TV (streaming) and the phone are connected; the tablet is off. Sign one out, or all of them,',
      '  and watch them go; the tablet settles when it next connects (it does not here: it stays off).',
      '',
    ].join('\n'),
  );
}
