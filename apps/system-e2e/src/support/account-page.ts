import { artifactDir } from '@signoff/testing';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Locator, Page, Request } from 'playwright-core';

const SCREENSHOTS = artifactDir(resolve(__dirname, '../../../..'), 'account-page');

/**
 * The account page in a real Chromium tab, as the holder uses it: only clicks, keys and what is
 * on screen. It also collects what must never happen: a JavaScript dialog (an injected
 * `alert`), an uncaught error, a CSP violation.
 */
export class AccountPageDriver {
  readonly problems: string[] = [];
  /** Every request the page made, from the first navigation on. */
  readonly requests: Request[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly origin: string,
  ) {
    page.on('dialog', (dialog) => {
      this.problems.push(`unexpected ${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('request', (request) => this.requests.push(request));
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) this.problems.push(`console: ${message.text()}`);
    });
  }

  /**
   * Opens /account (or `options.path`, e.g. a mail link's path and query) of the gateway at
   * `gatewayUrl`, by the name `localhost` (a secure context for cookies). `options.headers` go
   * with every request (an X-Forwarded-For behind a trusted proxy).
   */
  static async open(
    browser: Browser,
    gatewayUrl: string,
    viewport = { width: 1280, height: 900 },
    options: { path?: string; headers?: Record<string, string> } = {},
  ): Promise<AccountPageDriver> {
    const origin = gatewayUrl.replace('127.0.0.1', 'localhost');
    const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/Lisbon', extraHTTPHeaders: options.headers });
    const page = await context.newPage();
    const driver = new AccountPageDriver(context, page, origin);
    await page.goto(`${origin}${options.path ?? '/account'}`);
    return driver;
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.deviceList().waitFor();
  }

  /** Opens "Sign out of all devices" and passes its confirmation; returns the dialog, now asking who you are. */
  async confirmSignOutAll(): Promise<Locator> {
    await this.page.getByTestId('sign-out-all').click();
    const dialog = this.page.getByTestId('confirm-sign-out-all');
    await dialog.getByRole('button', { name: 'Continue' }).click();
    return dialog;
  }

  deviceList(): Locator {
    return this.page.getByTestId('device-list');
  }

  row(deviceId: string): Locator {
    return this.page.locator(`li.device[data-device-id="${deviceId}"]`);
  }

  /** Waits until the row shows the device status given (`data-status`). */
  async waitForRowStatus(deviceId: string, status: string, timeoutMs = 15_000): Promise<void> {
    await this.row(deviceId).and(this.page.locator(`[data-status="${status}"]`)).waitFor({ timeout: timeoutMs });
  }

  progressItem(deviceId: string): Locator {
    return this.page.getByTestId('progress-panel').locator(`li[data-device-id="${deviceId}"]`);
  }

  async waitForProgressState(deviceId: string, state: string, timeoutMs = 15_000): Promise<void> {
    await this.progressItem(deviceId).and(this.page.locator(`[data-state="${state}"]`)).waitFor({ timeout: timeoutMs });
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
