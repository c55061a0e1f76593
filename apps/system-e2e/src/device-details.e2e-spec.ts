import { expectEventually } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

/**
 * What the device list shows about a device, derived for real: OS and browser from the
 * User-Agent header, place from the client address with the packaged GeoIP data; and
 * `X-Forwarded-For` believed only from the proxies a gateway is told to trust.
 */
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36';
/** A public resolver address and what the packaged DB-IP IP to City Lite data says about it. */
const FORWARDED = { ip: '8.8.8.8', location: { country: 'US', region: 'California', city: 'Mountain View' } };

interface ListedDevice {
  deviceId: string;
  os: string | null;
  appVersion: string | null;
  location: { country: string | null; region: string | null; city: string | null };
}

/** Signs a phone in through the gateway as a browser behind a proxy would, then reads its list entry. */
async function signInForwardedAndList(stack: TestStack): Promise<ListedDevice> {
  const holder = await stack.signUp();
  const login = await http(stack.gateway(0), 'POST', '/v1/auth/login', {
    body: { email: holder.email, password: holder.password, device: { id: 'pixel', type: 'phone', name: 'Pixel' } },
    headers: { 'User-Agent': ANDROID_CHROME, 'X-Forwarded-For': FORWARDED.ip },
  });
  expect(login.status).toBe(200);
  const token = (login.body as { accessToken: string }).accessToken;
  // The registry records the sign-in from the SECURITY stream, a moment after the login answers.
  return expectEventually(async () => {
    const list = await http(stack.gateway(0), 'GET', '/v1/devices', { token });
    expect(list.status).toBe(200);
    const device = (list.body as { devices: ListedDevice[] }).devices.find((d) => d.deviceId === 'pixel');
    expect(device).toBeDefined();
    return device as ListedDevice;
  });
}

describe('device details behind a trusted proxy (TRUSTED_PROXIES=loopback)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 1, env: { TRUSTED_PROXIES: 'loopback' } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('places the device at the forwarded client address and reads its OS and browser from the User-Agent', async () => {
    const device = await signInForwardedAndList(stack);

    expect(device).toMatchObject({ os: 'Android 14', appVersion: 'Chrome 126', location: FORWARDED.location });
  });
});

describe('device details on a gateway that trusts no proxy (default)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 1 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('ignores X-Forwarded-For: the address is the loopback peer, which has no place', async () => {
    const device = await signInForwardedAndList(stack);

    expect(device).toMatchObject({ os: 'Android 14', appVersion: 'Chrome 126', location: { country: null, region: null, city: null } });
  });
});
