import { DeviceClient, SignedOutEvent } from '@signoff/device-client';
import { expectEventually, ReceivedMail } from '@signoff/testing';
import type { Locator } from 'playwright-core';
import { AccountPageDriver } from './support/account-page';
import { useBrowserSuite } from './support/browser-suite';
import { http } from './support/test-stack';

const RESET_MAIL = /^Reset your Signoff password$/;
const PHONE = { width: 390, height: 844 };
/** Failed link tokens an address may send before it is refused (small, so one test reaches it). */
const LINK_TOKEN_LIMIT = 3;

/** The path and query of the link in a mail (its host is PUBLIC_BASE_URL; the test opens it on a gateway of this stack). */
function linkIn(mail: ReceivedMail, path: '/account/reset' | '/account/not-me'): string {
  const match = new RegExp(`https?://\\S+${path}\\?token=[A-Za-z0-9_%-]+`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in:\n${mail.text}`);
  const url = new URL(match[0]);
  return `${url.pathname}${url.search}`;
}

/** Waits until the element's text matches (live regions fill in after the API answers). */
function textOf(locator: Locator, expected: string | RegExp): Promise<void> {
  return expectEventually(
    async () => {
      const text = (await locator.textContent()) ?? '';
      if (typeof expected === 'string') expect(text).toContain(expected);
      else expect(text).toMatch(expected);
    },
    { timeoutMs: 10_000 },
  );
}

/** Resolves when the device's sign-out arrives and its control channel has closed. */
function signedOut(device: DeviceClient): Promise<{ event: SignedOutEvent; code: number }> {
  return new Promise((resolve) => {
    device.once('signed-out', (event) => void device.closed().then(({ code }) => resolve({ event, code })));
  });
}

/**
 * The links in our own mails, opened in headless Chromium against a two-gateway stack with a
 * real SMTP server: the password-reset link (/account/reset?token=…) and the sign-in alert's
 * "this wasn't me" link (/account/not-me?token=…). Devices are real device clients on the other
 * gateway, so every sign-out crosses the event bus before they see it. Each test's browser comes
 * from an address of its own (X-Forwarded-For behind a trusted proxy), as failed link tokens
 * count per address.
 */
describe('links in mails, in a real browser', () => {
  let lastAddress = 0;
  /** A client address no other test uses (TEST-NET-3: placed nowhere by GeoIP). */
  const address = () => `203.0.113.${++lastAddress}`;
  const suite = useBrowserSuite({ THROTTLE_SIGN_UP_PER_ADDRESS: '100', TRUSTED_PROXIES: 'loopback', THROTTLE_LINK_TOKEN_PER_ADDRESS: String(LINK_TOKEN_LIMIT) });

  function openLink(path: string, options: { viewport?: { width: number; height: number }; from?: string } = {}): Promise<AccountPageDriver> {
    return suite.open({ path, viewport: options.viewport, headers: { 'X-Forwarded-For': options.from ?? address() } });
  }

  async function loginStatus(email: string, password: string): Promise<number> {
    const response = await http(suite.stack.gateway(0), 'POST', '/v1/auth/login', { body: { email, password, device: { id: `laptop-${Date.now()}`, type: 'computer', name: 'Laptop' } } });
    return response.status;
  }

  /** A holder with a TV whose control channel is open (gateway 1), and the link from a reset mail. */
  async function holderWithResetLink(): Promise<{ holder: { email: string; password: string }; tv: DeviceClient; link: string }> {
    const holder = await suite.stack.signUp();
    const tv = suite.stack.device(1, { id: 'tv', type: 'tv', name: 'TV' });
    await tv.signIn(holder.email, holder.password);
    await tv.connect();
    expect((await http(suite.stack.gateway(1), 'POST', '/v1/auth/password-reset/request', { body: { email: holder.email } })).status).toBe(202);
    return { holder, tv, link: linkIn(await suite.smtp.waitFor(holder.email, { subject: RESET_MAIL }), '/account/reset') };
  }

  /** The page's own address bar and document, read in the page. */
  const locationOf = (page: AccountPageDriver) => page.page.evaluate('({ path: location.pathname, search: location.search, href: location.href })') as Promise<{ path: string; search: string; href: string }>;
  /** The focused element: an input by its id, anything else by its text. */
  const focused = (page: AccountPageDriver) =>
    page.page.evaluate(`(() => { const el = document.activeElement; return !el ? null : el.tagName === 'INPUT' ? el.id : (el.textContent || '').trim(); })()`) as Promise<string | null>;

  /** No request the page made carried a Referer (the link's token stays out of every one). */
  async function expectNoReferer(page: AccountPageDriver): Promise<void> {
    expect(page.requests.length).toBeGreaterThan(2);
    for (const request of page.requests) expect({ url: request.url(), referer: (await request.allHeaders())['referer'] }).toEqual({ url: request.url(), referer: undefined });
  }

  /** Every visible control has an accessible name, and nothing is wider than the screen. */
  async function expectUsableOnPhone(page: AccountPageDriver): Promise<void> {
    await expect(page.page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(PHONE.width);
    const unlabelled = await page.page.evaluate(`[...document.querySelectorAll('input, select, button, textarea')]
      .filter((el) => !el.closest('[hidden]'))
      .filter((el) => !(el.labels && el.labels.length > 0) && !el.getAttribute('aria-label') && !(el.textContent || '').trim())
      .map((el) => el.outerHTML)`);
    expect(unlabelled).toEqual([]);
  }

  it('serves /account/reset and /account/not-me (any query) as the page itself, with its headers; nothing else new', async () => {
    const page = await fetch(`${suite.stack.gateway(1)}/account/`);
    const html = await page.text();
    for (const path of ['/account/reset?token=pr_abc', '/account/not-me?token=nm_abc', '/account/reset', '/account/not-me/']) {
      const response = await fetch(`${suite.stack.gateway(1)}${path}`);
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({ path, status: 200, type: expect.stringMatching(/^text\/html/) });
      expect(await response.text()).toBe(html);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    for (const [method, path] of [['GET', '/account/reset/more'], ['GET', '/account/resets'], ['POST', '/account/reset'], ['GET', '/account/nowhere']]) {
      expect({ method, path, status: (await fetch(`${suite.stack.gateway(1)}${path}`, { method })).status }).toEqual({ method, path, status: 404 });
    }
  });

  it('resets the password from the mail: the token leaves the address bar, the new password twice, every device signed out, the new password signs in, the link works once', async () => {
    const { holder, tv, link } = await holderWithResetLink();
    const phone = suite.stack.device(1, { id: 'phone', type: 'phone', name: 'Phone' });
    await phone.signIn(holder.email, holder.password);
    const phoneToken = phone.tokens!.accessToken;
    const tvOut = signedOut(tv);

    const page = await openLink(link);
    const view = page.page.getByTestId('reset-view');
    await view.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await expect(locationOf(page)).resolves.toEqual({ path: '/account/reset', search: '', href: `${page.origin}/account/reset` });
    await expect(page.page.title()).resolves.toBe('Reset your password · Signoff');
    await expect(view.getByTestId('reset-consequence').textContent()).resolves.toContain('signs your account out on every device');
    await expect(focused(page)).resolves.toBe('new-password');
    await page.screenshot('mail-01-reset');

    // Too short, then two different ones: said next to the field, nothing sent.
    const strength = view.getByTestId('password-strength');
    await view.getByLabel('New password', { exact: true }).fill('short');
    await expect(strength.textContent()).resolves.toBe('Too short: 3 more characters needed.');
    await view.getByRole('button', { name: 'Set new password' }).click();
    await expect(view.getByTestId('new-password-error').textContent()).resolves.toBe('Use at least 8 characters.');
    await expect(view.getByLabel('New password', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    const newPassword = 'a brand new passphrase 42';
    await view.getByLabel('New password', { exact: true }).fill(newPassword);
    await expect(strength.textContent()).resolves.toBe('Strong.');
    await view.getByLabel('New password again').fill(`${newPassword}!`);
    await view.getByRole('button', { name: 'Set new password' }).click();
    await expect(view.getByTestId('repeat-password-error').textContent()).resolves.toBe('The two passwords are not the same.');
    await page.screenshot('mail-02-reset-mismatch');
    expect(page.requests.filter((r) => r.method() === 'POST')).toEqual([]);
    await expect(tv.whoami()).resolves.toHaveProperty('deviceId', 'tv');

    await view.getByLabel('New password again').fill(newPassword);
    await view.getByRole('button', { name: 'Set new password' }).click();
    await view.getByRole('heading', { name: 'Your password is changed' }).waitFor();
    await expect(view.getByTestId('reset-done').textContent()).resolves.toContain('Every device signed in to your account is being signed out');
    await expect(view.getByRole('link', { name: 'Sign in' }).getAttribute('href')).resolves.toBe('/account/');
    await expect(focused(page)).resolves.toBe('Your password is changed');
    await page.screenshot('mail-03-reset-done');

    // The TV (channel open, other gateway) is cut; the phone's token is refused; only the new password signs in.
    const { event, code } = await tvOut;
    expect({ reason: event.reason, via: event.via, code }).toEqual({ reason: 'password_reset', via: 'websocket', code: 4001 });
    const refused = await http(suite.stack.gateway(1), 'GET', '/v1/auth/whoami', { token: phoneToken });
    expect(refused.status).toBe(401);
    expect(await loginStatus(holder.email, holder.password)).toBe(401);
    expect(await loginStatus(holder.email, newPassword)).toBe(200);
    await expectNoReferer(page);

    // The same link again: it worked once.
    await page.page.goto(`${page.origin}${link}`);
    await view.getByLabel('New password', { exact: true }).fill('another passphrase 43');
    await view.getByLabel('New password again').fill('another passphrase 43');
    await view.getByRole('button', { name: 'Set new password' }).click();
    await view.getByRole('heading', { name: 'This link no longer works' }).waitFor();
    await expect(view.getByTestId('reset-invalid').textContent()).resolves.toContain('Your password was not changed.');
    expect(await loginStatus(holder.email, newPassword)).toBe(200);
  });

  it('"this wasn\'t me" from the alert: nothing happens on opening; confirmed, it shows the device, when and where, cuts it, and leads to the reset', async () => {
    const holder = await suite.stack.signUp();
    const phone = suite.stack.device(1, { id: 'phone', type: 'phone', name: 'Phone' });
    await phone.signIn(holder.email, holder.password);
    await phone.connect();
    const intruder = suite.stack.device(1, { id: 'unknown-laptop', type: 'computer', name: 'Unknown laptop', os: 'Windows 11' }, { headers: { 'X-Forwarded-For': '8.8.8.8' } });
    await intruder.signIn(holder.email, holder.password);
    await intruder.connect();
    const intruderToken = intruder.tokens!.accessToken;
    const intruderOut = signedOut(intruder);
    const alert = await suite.smtp.waitFor(holder.email, { subject: /^New sign-in to Signoff: Unknown laptop$/ });
    const at = /When: .+ UTC \((\S+)\)/.exec(alert.text)?.[1];

    const page = await openLink(linkIn(alert, '/account/not-me'));
    const view = page.page.getByTestId('not-me-view');
    await view.getByRole('heading', { name: 'Not you? Sign that device out' }).waitFor();
    await expect(locationOf(page)).resolves.toMatchObject({ path: '/account/not-me', search: '' });
    await expect(focused(page)).resolves.toBe('Not you? Sign that device out');
    const consequences = (await view.getByTestId('not-me-consequences').textContent()) ?? '';
    for (const promise of ['signed out at once', 'link to choose a new password', 'other devices stay signed in']) expect(consequences).toContain(promise);
    await page.screenshot('mail-04-not-me-confirm');
    // Opening the link (as a mail scanner would) signed nothing out.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(page.requests.filter((r) => r.method() === 'POST')).toEqual([]);
    await expect(intruder.whoami()).resolves.toHaveProperty('deviceId', 'unknown-laptop');

    await view.getByRole('button', { name: 'Sign that device out' }).click();
    await view.getByRole('heading', { name: 'That device is signed out' }).waitFor();
    await expect(focused(page)).resolves.toBe('That device is signed out');
    const facts = view.getByTestId('not-me-facts');
    const text = (await facts.textContent()) ?? '';
    expect(text).toContain('DeviceUnknown laptop (Computer, Windows 11)');
    expect(text).toContain('Wherenear Mountain View, California, US (approximate)');
    expect(text).toContain('Address8.8.8.8');
    await expect(facts.locator('time').getAttribute('datetime')).resolves.toBe(at);
    await expect(facts.locator('time').textContent()).resolves.toMatch(/\d{4}/);
    await expect(view.getByTestId('not-me-next').textContent()).resolves.toContain(`We emailed a link to choose a new password to h•••@signoff.test`);
    await page.screenshot('mail-05-not-me-done');

    // The intruder is cut (channel closed, token refused); the phone stays until the reset.
    const { event, code } = await intruderOut;
    expect({ reason: event.reason, via: event.via, code }).toEqual({ reason: 'sign_out_device', via: 'websocket', code: 4001 });
    expect((await http(suite.stack.gateway(0), 'GET', '/v1/auth/whoami', { token: intruderToken })).status).toBe(401);
    await expect(phone.whoami()).resolves.toHaveProperty('deviceId', 'phone');
    await expectNoReferer(page);

    // On to the reset the page announced: its mail's link, in the same tab.
    const phoneOut = signedOut(phone);
    await page.page.goto(`${page.origin}${linkIn(await suite.smtp.waitFor(holder.email, { subject: RESET_MAIL }), '/account/reset')}`);
    const reset = page.page.getByTestId('reset-view');
    const newPassword = 'only I know this one 7';
    await reset.getByLabel('New password', { exact: true }).fill(newPassword);
    await reset.getByLabel('New password again').fill(newPassword);
    await reset.getByRole('button', { name: 'Set new password' }).click();
    await reset.getByRole('heading', { name: 'Your password is changed' }).waitFor();
    await expect(phoneOut).resolves.toMatchObject({ event: { reason: 'password_reset' }, code: 4001 });
    expect(await loginStatus(holder.email, holder.password)).toBe(401);
    expect(await loginStatus(holder.email, newPassword)).toBe(200);
  });

  it('the reset works on a phone-sized screen by keyboard alone, every control labelled', async () => {
    const { holder, tv, link } = await holderWithResetLink();
    const tvOut = signedOut(tv);
    const page = await openLink(link, { viewport: PHONE });
    const keyboard = page.page.keyboard;
    await page.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await expectUsableOnPhone(page);
    // The new password field has focus on arrival; from there on, keys only.
    const newPassword = 'typed on a small screen 9';
    await keyboard.type(newPassword);
    await keyboard.press('Tab');
    await expect(focused(page)).resolves.toBe('repeat-password');
    await keyboard.type(newPassword);
    await keyboard.press('Tab');
    await expect(focused(page)).resolves.toBe('show-passwords');
    await keyboard.press('Space');
    await expect(page.page.locator('#new-password').getAttribute('type')).resolves.toBe('text');
    await page.screenshot('mail-06-phone-reset');
    await keyboard.press('Tab');
    await expect(focused(page)).resolves.toBe('Set new password');
    await keyboard.press('Enter');
    await page.page.getByRole('heading', { name: 'Your password is changed' }).waitFor();
    await expect(tvOut).resolves.toMatchObject({ code: 4001 });
    await keyboard.press('Tab');
    await expect(focused(page)).resolves.toBe('Sign in');
    await expectUsableOnPhone(page);
    await page.screenshot('mail-07-phone-reset-done');
    expect(await loginStatus(holder.email, newPassword)).toBe(200);
  });

  it('"this wasn\'t me" works on a phone-sized screen by keyboard alone, every control labelled', async () => {
    const holder = await suite.stack.signUp();
    const intruder = suite.stack.device(1, { id: 'tablet-x', type: 'tablet', name: 'Tablet' });
    await intruder.signIn(holder.email, holder.password);
    await intruder.connect();
    const intruderOut = signedOut(intruder);
    const alert = await suite.smtp.waitFor(holder.email, { subject: /^New sign-in to Signoff: Tablet$/ });

    const page = await openLink(linkIn(alert, '/account/not-me'), { viewport: PHONE });
    const keyboard = page.page.keyboard;
    await page.page.getByRole('heading', { name: 'Not you? Sign that device out' }).waitFor();
    await expectUsableOnPhone(page);
    await page.screenshot('mail-08-phone-not-me');
    // Focus is on the heading; the next stop is the confirmation.
    await keyboard.press('Tab');
    await expect(focused(page)).resolves.toBe('Sign that device out');
    await keyboard.press('Enter');
    await page.page.getByRole('heading', { name: 'That device is signed out' }).waitFor();
    await expect(intruderOut).resolves.toMatchObject({ code: 4001 });
    await expect(page.page.getByTestId('not-me-facts').textContent()).resolves.toContain('DeviceTablet (Tablet)');
    await expectUsableOnPhone(page);

    // "Didn't get the email?" opens by keyboard and asks for a new link.
    await keyboard.press('Tab');
    await expect(focused(page)).resolves.toBe('Didn’t get the email?');
    await keyboard.press('Enter');
    await keyboard.press('Tab');
    await keyboard.type(holder.email);
    await keyboard.press('Enter');
    await textOf(page.page.getByTestId('reset-request-message'), 'If an account uses that address, a new link is on its way');
    await expectUsableOnPhone(page);
    await page.screenshot('mail-09-phone-not-me-done');
    // The one from "this wasn't me" and the one asked for here.
    await expectEventually(() => expect(suite.smtp.to(holder.email, RESET_MAIL)).toHaveLength(2));
  });

  it('a link that does not work says so, changes nothing, and offers a new reset link that arrives', async () => {
    const holder = await suite.stack.signUp();
    const tv = suite.stack.device(1, { id: 'tv', type: 'tv', name: 'TV' });
    await tv.signIn(holder.email, holder.password);
    const from = address();

    // A reset link with an unknown token: refused on submit; a new link can be asked for.
    const page = await openLink('/account/reset?token=pr_not-a-real-token', { from });
    const view = page.page.getByTestId('reset-view');
    await view.getByLabel('New password', { exact: true }).fill('a fine new password 1');
    await view.getByLabel('New password again').fill('a fine new password 1');
    await view.getByRole('button', { name: 'Set new password' }).click();
    await view.getByRole('heading', { name: 'This link no longer works' }).waitFor();
    await expect(focused(page)).resolves.toBe('This link no longer works');
    await expect(view.getByRole('link', { name: 'Sign in to manage your devices' }).getAttribute('href')).resolves.toBe('/account/');
    await page.screenshot('mail-10-reset-invalid');
    await view.getByLabel('Your email address').fill(holder.email);
    await view.getByRole('button', { name: 'Email me a new link' }).click();
    await textOf(view.getByTestId('reset-request-message'), 'If an account uses that address');
    await suite.smtp.waitFor(holder.email, { subject: RESET_MAIL });

    // A "this wasn't me" link with an unknown token: the same.
    await page.page.goto(`${page.origin}/account/not-me?token=nm_not-a-real-token`);
    const notMe = page.page.getByTestId('not-me-view');
    await notMe.getByRole('button', { name: 'Sign that device out' }).click();
    await notMe.getByRole('heading', { name: 'This link no longer works' }).waitFor();
    await expect(notMe.getByTestId('not-me-invalid').textContent()).resolves.toContain('Nothing was signed out just now.');
    await notMe.getByTestId('reset-request').waitFor();
    await page.screenshot('mail-11-not-me-invalid');

    // Without a token at all, each view says so at once, and sends nothing.
    const posts = page.requests.filter((r) => r.method() === 'POST').length;
    for (const path of ['/account/reset', '/account/not-me']) {
      await page.page.goto(`${page.origin}${path}`);
      await page.page.getByRole('heading', { name: 'This link no longer works' }).waitFor();
      await expect(page.page.getByText('that link was not complete', { exact: false }).count()).resolves.toBe(1);
    }
    expect(page.requests.filter((r) => r.method() === 'POST')).toHaveLength(posts);
    await expect(tv.whoami()).resolves.toHaveProperty('deviceId', 'tv');
  });

  it('tells a network that sent too many bad link tokens to wait, and changes nothing', async () => {
    const { holder, tv, link } = await holderWithResetLink();
    const from = address();
    for (let i = 0; i < LINK_TOKEN_LIMIT; i += 1) {
      const bad = await http(suite.stack.gateway(1), 'POST', '/v1/auth/not-me', { headers: { 'X-Forwarded-For': from }, body: { token: `nm_guess-${i}` } });
      expect(bad.status).toBe(400);
    }

    const page = await openLink(link, { from });
    const view = page.page.getByTestId('reset-view');
    await view.getByLabel('New password', { exact: true }).fill('a fine new password 2');
    await view.getByLabel('New password again').fill('a fine new password 2');
    await view.getByRole('button', { name: 'Set new password' }).click();
    await textOf(view.getByTestId('reset-message'), /^Too many tries from your network\. Wait \d+ minutes, then try again\. Your password was not changed\.$/);
    await page.screenshot('mail-12-reset-rate-limited');

    await page.page.goto(`${page.origin}/account/not-me?token=nm_whatever`);
    const notMe = page.page.getByTestId('not-me-view');
    await notMe.getByRole('button', { name: 'Sign that device out' }).click();
    await textOf(notMe.getByTestId('not-me-message'), /^Too many tries from your network\. .+ Nothing was signed out\.$/);

    await expect(tv.whoami()).resolves.toHaveProperty('deviceId', 'tv');
    expect(await loginStatus(holder.email, holder.password)).toBe(200);
  });
});
