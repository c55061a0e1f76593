import { DeviceClient } from '@signoff/device-client';
import { expectEventually } from '@signoff/testing';
import { Secret, TOTP } from 'otpauth';
import { AccountPageDriver } from './support/account-page';
import { useBrowserSuite } from './support/browser-suite';
import { http } from './support/test-stack';

const XSS_NAME = '<img src=x onerror=alert(1)>';
/** The household's address as a trusted proxy forwards it, and where the packaged DB-IP data puts it. */
const HOME = { headers: { 'X-Forwarded-For': '8.8.8.8' }, place: 'Mountain View, California, US' };

/**
 * The account page in headless Chromium against a two-gateway suite.stack. The holder's other devices
 * are real device clients (HTTP + WebSocket) signed in through the other gateway, so every
 * sign-out the page asks for crosses the event bus before a device sees it.
 */
describe('account page in a real browser', () => {
  // One account per test, all from this machine's address.
  const suite = useBrowserSuite({ THROTTLE_SIGN_UP_PER_ADDRESS: '100', TRUSTED_PROXIES: 'loopback' });

  function openPage(viewport?: { width: number; height: number }): Promise<AccountPageDriver> {
    return suite.open({ viewport });
  }

  /** A holder with a TV (streaming, channel open), a phone (channel open) and a tablet that is off. */
  async function household(): Promise<{ holder: { email: string; password: string }; tv: DeviceClient; phone: DeviceClient; tablet: DeviceClient; tvProfile: string }> {
    const holder = await suite.stack.signUp('premium');
    const tv = suite.stack.device(1, { id: 'living-room-tv', type: 'tv', name: 'Living room TV', os: 'Tizen 8' }, HOME);
    const phone = suite.stack.device(1, { id: 'phone-1', type: 'phone', name: 'Ana’s phone', os: 'Android 15' });
    const tablet = suite.stack.device(1, { id: 'tablet-1', type: 'tablet', name: 'Kitchen tablet', os: 'iPadOS 18' }, HOME);
    for (const device of [tv, phone, tablet]) await device.signIn(holder.email, holder.password);
    await Promise.all([tv.connect(), phone.connect()]);
    const { profiles } = await tv.request<{ profiles: Array<{ profileId: string; name: string }> }>('GET', '/v1/profiles');
    await tv.selectProfile(profiles[0].profileId);
    await tv.startPlayback('title-night-train');
    return { holder, tv, phone, tablet, tvProfile: profiles[0].name };
  }

  it('serves the page with a content security policy and no inline script', async () => {
    const response = await fetch(`${suite.stack.gateway(1)}/account/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await fetch(`${suite.stack.gateway(1)}/account`, { redirect: 'manual' })).status).toBeLessThan(400);
  });

  it('signs in, lists the devices signed in elsewhere, and signs one out: its WebSocket closes and its row settles', async () => {
    const { holder, tv, phone, tablet, tvProfile } = await household();
    const page = await openPage();
    await page.screenshot('01-sign-in');
    await page.signIn(holder.email, holder.password);

    for (const id of ['living-room-tv', 'phone-1', 'tablet-1']) await page.row(id).waitFor();
    await page.waitForRowStatus('living-room-tv', 'streaming');
    await expect(page.row('living-room-tv').locator('.device-name').textContent()).resolves.toBe('Living room TV');
    const tvRow = (await page.row('living-room-tv').textContent()) ?? '';
    expect(tvRow).toContain('Tizen 8');
    expect(tvRow).toContain(HOME.place);
    expect(tvRow).toContain(`Last profile${tvProfile}`);
    expect(tvRow).toContain('title-night-train');
    await expect(page.row('tablet-1').getByTestId('device-status').textContent()).resolves.toBe('Offline');
    await expect(page.page.locator('li.device.current .badge-current').textContent()).resolves.toBe('This device');
    await expect(page.page.getByRole('link', { name: 'IP Geolocation by DB-IP' }).getAttribute('href')).resolves.toBe('https://db-ip.com');
    await page.screenshot('02-devices');

    // Sign the phone out: the confirmation names it, then its channel closes with 4001.
    const phoneToken = phone.tokens!.accessToken;
    const phoneClosed = phone.closed();
    await page.row('phone-1').getByRole('button', { name: 'Sign out' }).click();
    const dialog = page.page.getByTestId('confirm-sign-out');
    await expect(dialog.getByRole('heading').textContent()).resolves.toBe('Sign out “Ana’s phone”?');
    await page.screenshot('03-confirm-sign-out-one');
    await dialog.getByRole('button', { name: 'Sign out Ana’s phone' }).click();
    await expect(phoneClosed).resolves.toEqual({ code: 4001 });
    await page.waitForRowStatus('phone-1', 'signed_out');
    await expect(page.row('phone-1').getByTestId('device-status').textContent()).resolves.toBe('Signed out');
    await page.screenshot('04-one-signed-out');

    // Only the phone went.
    expect(tv.isSignedIn).toBe(true);
    await expect(tablet.whoami()).resolves.toHaveProperty('deviceId', 'tablet-1');
    expect(phone.signedOutBy).toMatchObject({ via: 'websocket' });
    const refused = await http(suite.stack.gateway(1), 'GET', '/v1/auth/whoami', { token: phoneToken });
    expect([refused.status, refused.body.error.code]).toEqual([401, 'SESSION_REVOKED']);
  });

  it('a wrong password shows an error and signs nothing out', async () => {
    const { holder, tv, phone } = await household();
    const page = await openPage();
    await page.signIn(holder.email, holder.password);
    const dialog = await page.confirmSignOutAll();
    await dialog.getByLabel('Your password').fill('not-the-password');
    await dialog.getByRole('button', { name: 'Sign out of all devices' }).click();
    const error = dialog.getByTestId('step-up-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('nothing was changed');
    await page.screenshot('05-wrong-password');

    // Nothing was revoked: the devices are signed in and their channels open.
    await expect(tv.whoami()).resolves.toHaveProperty('deviceId', 'living-room-tv');
    await expect(phone.whoami()).resolves.toHaveProperty('deviceId', 'phone-1');
    expect(tv.isSignedIn && phone.isSignedIn).toBe(true);
    const list = await http(suite.stack.gateway(1), 'GET', '/v1/devices', { token: tv.tokens!.accessToken });
    expect(list.body.devices.map((d: { status: string }) => d.status)).not.toContain('signed_out');
    expect(list.body.devices.map((d: { status: string }) => d.status)).not.toContain('logout_pending');
  });

  it('signs out of all devices with the password: every row reaches its end, the offline tablet when it reconnects', async () => {
    const { holder, tv, phone, tablet } = await household();
    const page = await openPage();
    await page.signIn(holder.email, holder.password);
    await page.waitForRowStatus('living-room-tv', 'streaming');

    await page.page.getByTestId('sign-out-all').click();
    const dialog = page.page.getByTestId('confirm-sign-out-all');
    const consequences = (await dialog.locator('.consequences').textContent()) ?? '';
    for (const promise of ['Every device', 'Every profile', 'Downloaded titles are removed', 'Nothing is deleted']) expect(consequences).toContain(promise);
    await page.screenshot('06-confirm-sign-out-all');
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await dialog.getByLabel('Your password').fill(holder.password);
    await page.screenshot('07-step-up');
    const channelsClosed = Promise.all([tv.closed(), phone.closed()]);
    await dialog.getByRole('button', { name: 'Sign out of all devices' }).click();

    await expect(channelsClosed).resolves.toEqual([{ code: 4001 }, { code: 4001 }]);
    await page.waitForProgressState('living-room-tv', 'acknowledged');
    await page.waitForProgressState('phone-1', 'acknowledged');
    await page.waitForProgressState('tablet-1', 'pending');
    await page.waitForRowStatus('living-room-tv', 'signed_out');
    await page.waitForRowStatus('tablet-1', 'logout_pending');
    await expect(page.progressItem('tablet-1').textContent()).resolves.toContain('signed out the moment it next connects');
    await expectEventually(async () => expect(await page.page.getByTestId('progress-summary').textContent()).toContain('offline and will be signed out'), { timeoutMs: 10_000 });
    await page.screenshot('08-progress-offline-pending');

    // The tablet comes back: its refresh is refused, and the panel and its row settle.
    await expect(tablet.refresh()).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
    await page.waitForProgressState('tablet-1', 'logged_out_on_reconnect');
    await page.waitForRowStatus('tablet-1', 'signed_out');
    await expectEventually(async () => expect(await page.page.getByTestId('progress-summary').textContent()).toBe('Done: all 3 devices signed out.'), { timeoutMs: 10_000 });
    await page.screenshot('09-all-signed-out');

    // This browser stayed signed in to watch; its own row says so.
    await expect(page.row('living-room-tv').getByTestId('device-status').textContent()).resolves.toBe('Signed out');
    await expect(page.page.locator('li.device.current').getAttribute('data-status')).resolves.not.toBe('signed_out');
  });

  it('signs out of all devices with a code from the mail instead of the password', async () => {
    const { holder, tv, phone } = await household();
    const page = await openPage();
    await page.signIn(holder.email, holder.password);
    const dialog = await page.confirmSignOutAll();
    await dialog.getByRole('button', { name: 'Email me a code instead' }).click();
    await dialog.getByLabel('Code from the email').waitFor();
    await expect(dialog.getByTestId('step-up-error').textContent()).resolves.toMatch(/We sent a code to h•+@signoff\.test/);
    const mail = await expectEventually(() => {
      const [found] = suite.smtp.to(holder.email, /^Your Signoff verification code$/);
      if (!found) throw new Error('no code mail yet');
      return found;
    });
    const code = /^\s+(\d{6})$/m.exec(mail.text)?.[1] ?? '';
    // A wrong code first: refused, with the tries left, nothing signed out.
    await dialog.getByLabel('Code from the email').fill(code === '000000' ? '111111' : '000000');
    await dialog.getByRole('button', { name: 'Sign out of all devices' }).click();
    await expectEventually(async () => expect(await dialog.getByTestId('step-up-error').textContent()).toContain('4 tries left'), { timeoutMs: 5_000 });
    expect(tv.isSignedIn && phone.isSignedIn).toBe(true);

    const closed = Promise.all([tv.closed(), phone.closed()]);
    await dialog.getByLabel('Code from the email').fill(code);
    await dialog.getByRole('button', { name: 'Sign out of all devices' }).click();
    await expect(closed).resolves.toEqual([{ code: 4001 }, { code: 4001 }]);
    await page.waitForProgressState('living-room-tv', 'acknowledged');
  });

  it('signs in with the authenticator code when the account uses two-step verification, and steps up with it, not the password', async () => {
    const holder = await suite.stack.signUp();
    const phone = suite.stack.device(1, { id: 'phone-2fa', type: 'phone', name: 'Phone' });
    await phone.signIn(holder.email, holder.password);
    const { reauthToken } = await phone.request<{ reauthToken: string }>('POST', '/v1/auth/step-up', { password: holder.password });
    const { secret } = await phone.request<{ secret: string }>('POST', '/v1/account/two-factor', undefined, { 'X-Reauth-Token': reauthToken });
    const codeAt = (steps: number): string => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });
    await phone.request('POST', '/v1/account/two-factor/confirm', { code: codeAt(-1) });
    await phone.connect();

    const page = await openPage();
    const codeField = page.page.getByLabel('Code from your authenticator app');
    await page.page.getByLabel('Email').fill(holder.email);
    // The code is asked for only once the account turns out to need one.
    await expect(codeField.isVisible()).resolves.toBe(false);
    await page.page.getByLabel('Password', { exact: true }).fill(holder.password);
    await page.page.getByRole('button', { name: 'Sign in' }).click();
    await codeField.waitFor();
    await page.screenshot('14-two-step-sign-in');
    await codeField.fill(codeAt(0));
    await page.page.getByRole('button', { name: 'Sign in' }).click();
    await page.row('phone-2fa').waitFor();

    // Signing everyone out takes the second factor too: the password alone is turned away.
    const dialog = await page.confirmSignOutAll();
    await dialog.getByLabel('Your password').fill(holder.password);
    await dialog.getByRole('button', { name: 'Sign out of all devices' }).click();
    const otpField = dialog.getByLabel('Code from your authenticator app');
    await otpField.waitFor();
    await expect(dialog.getByTestId('step-up-error').textContent()).resolves.toContain('two-step verification');
    expect(phone.isSignedIn).toBe(true);
    await otpField.fill(codeAt(1));
    await dialog.getByRole('button', { name: 'Sign out of all devices' }).click();
    await page.waitForProgressState('phone-2fa', 'acknowledged');
  });

  it('changes the password and, as ticked by default, signs every other device out', async () => {
    const { holder, tv, phone } = await household();
    const page = await openPage();
    await page.signIn(holder.email, holder.password);
    await expect(page.page.getByLabel('Sign out of every other device (recommended)').isChecked()).resolves.toBe(true);
    const newPassword = `${holder.password}-new`;
    await page.page.getByLabel('Current password').fill(holder.password);
    await page.page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.page.getByLabel('New password again').fill(newPassword);
    const closed = Promise.all([tv.closed(), phone.closed()]);
    await page.page.getByRole('button', { name: 'Change password' }).click();
    await expect(closed).resolves.toEqual([{ code: 4001 }, { code: 4001 }]);
    await expectEventually(async () => expect(await page.page.getByTestId('password-message').textContent()).toContain('Password changed'), { timeoutMs: 5_000 });
    await page.waitForProgressState('living-room-tv', 'acknowledged');
    await page.waitForRowStatus('phone-1', 'signed_out');
    // This browser stays signed in; the new password works, the old one does not.
    await page.page.reload();
    await page.deviceList().waitFor();
    expect((await http(suite.stack.gateway(1), 'POST', '/v1/auth/login', { body: { email: holder.email, password: holder.password, device: { id: 'x', type: 'tv', name: 'x' } } })).status).toBe(401);
  });

  it('shows a device named like markup as text', async () => {
    const holder = await suite.stack.signUp();
    const evil = suite.stack.device(1, { id: 'evil-1', type: 'computer', name: XSS_NAME });
    await evil.signIn(holder.email, holder.password);
    const page = await openPage();
    await page.signIn(holder.email, holder.password);
    await page.row('evil-1').waitFor();
    await expect(page.row('evil-1').locator('.device-name').textContent()).resolves.toBe(XSS_NAME);
    expect(await page.page.locator('img').count()).toBe(0);
    await page.row('evil-1').getByRole('button', { name: 'Sign out' }).click();
    await expect(page.page.getByTestId('confirm-sign-out').getByRole('heading').textContent()).resolves.toBe(`Sign out “${XSS_NAME}”?`);
    expect(await page.page.locator('img').count()).toBe(0);
    await page.screenshot('10-markup-name-as-text');
    await page.page.keyboard.press('Escape');
    // page.problems (checked after each test) would hold the alert had the markup run.
  });

  it('keeps the refresh token in an HttpOnly, Secure, SameSite=Strict cookie scoped to the refresh route; a reload stays signed in as the same device', async () => {
    const holder = await suite.stack.signUp();
    const page = await openPage();
    await page.signIn(holder.email, holder.password);
    const cookies = await page.context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'signoff_refresh', httpOnly: true, secure: true, sameSite: 'Strict', path: '/v1/auth/refresh' });
    await expect(page.page.evaluate('document.cookie')).resolves.toBe('');

    const currentRow = page.page.locator('li.device.current');
    const deviceId = await currentRow.getAttribute('data-device-id');
    await page.page.reload();
    await page.deviceList().waitFor();
    await expect(page.page.locator('li.device.current').getAttribute('data-device-id')).resolves.toBe(deviceId);
    await expect(page.page.locator('li.device').count()).resolves.toBe(1);

    // Signing out here clears the cookie; a reload then shows the sign-in form.
    await page.page.getByTestId('sign-out-here').click();
    await page.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.context.cookies()).toEqual([]);
  });

  it('refuses cross-site use of the refresh cookie', async () => {
    const holder = await suite.stack.signUp();
    const page = await openPage();
    await page.signIn(holder.email, holder.password);
    const [cookie] = await page.context.cookies();
    const gateway = suite.stack.gateway(0);
    const attempts: Array<Record<string, string>> = [
      {}, // no marker header: a plain form post from elsewhere
      { 'x-signoff-client': 'account-page', origin: 'https://evil.example' },
      { 'x-signoff-client': 'account-page', 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const reply = await http(gateway, 'POST', '/v1/auth/refresh', { headers: { ...headers, cookie: `signoff_refresh=${cookie.value}` }, body: {} });
      expect([reply.status, reply.body.error.code]).toEqual([403, 'CROSS_SITE_REQUEST']);
    }
    // The cookie was never used: the page can still refresh with it.
    await page.page.reload();
    await page.deviceList().waitFor();
  });

  it('a kids profile sees that it cannot manage the account, and nothing of it', async () => {
    const holder = await suite.stack.signUp();
    const other = suite.stack.device(1, { id: 'phone-k', type: 'phone', name: 'Phone' });
    await other.signIn(holder.email, holder.password);
    await other.request('POST', '/v1/profiles', { name: 'Kids', kids: true });
    const page = await openPage();
    await page.signIn(holder.email, holder.password);

    await page.page.getByLabel('Profile', { exact: true }).selectOption({ label: 'Kids (kids)' });
    await page.page.getByRole('button', { name: 'Switch' }).click();
    await page.page.getByTestId('kids-notice').waitFor();
    expect(await page.page.getByTestId('device-list').count()).toBe(0);
    expect(await page.page.getByTestId('signed-in-as').count()).toBe(0);
    const text = (await page.page.locator('body').textContent()) ?? '';
    expect(text).not.toContain(holder.email);
    expect(text).not.toContain('Phone');
    await page.screenshot('11-kids-profile');

    // Back to the grown-up profile: the password is asked for first.
    await page.page.getByLabel('Profile', { exact: true }).selectOption({ index: 0 });
    await page.page.getByRole('button', { name: 'Switch' }).click();
    await page.page.getByLabel('Your password').fill(holder.password);
    await page.page.getByRole('button', { name: /^Switch to / }).click();
    await page.deviceList().waitFor();
  });

  it('works on a phone-sized screen by keyboard alone, every control labelled', async () => {
    const { holder } = await household();
    const page = await openPage({ width: 390, height: 844 });
    const keyboard = page.page.keyboard;
    await page.page.getByLabel('Email').waitFor();
    // The email field has focus on arrival; from there on, keys only.
    await keyboard.type(holder.email);
    await keyboard.press('Tab');
    await keyboard.type(holder.password);
    await keyboard.press('Enter');
    await page.deviceList().waitFor();
    await page.row('living-room-tv').waitFor();

    // Nothing wider than the screen.
    await expect(page.page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);

    // Every control has an accessible name: a <label>, or its own text.
    const unlabelled = await page.page.evaluate(`[...document.querySelectorAll('input, select, button, textarea')]
      .filter((el) => !el.closest('[hidden]'))
      .filter((el) => !(el.labels && el.labels.length > 0) && !el.getAttribute('aria-label') && !(el.textContent || '').trim())
      .map((el) => el.outerHTML)`);
    expect(unlabelled).toEqual([]);

    // Tab to "Sign out of all devices", open it with Enter, leave it with Escape.
    for (let i = 0; i < 40; i += 1) {
      await keyboard.press('Tab');
      if ((await page.page.evaluate('document.activeElement && document.activeElement.dataset.testid')) === 'sign-out-all') break;
    }
    await keyboard.press('Enter');
    const dialog = page.page.getByTestId('confirm-sign-out-all');
    await dialog.waitFor();
    await page.screenshot('12-phone-confirm');
    await keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.screenshot('13-phone-devices');
  });
});
