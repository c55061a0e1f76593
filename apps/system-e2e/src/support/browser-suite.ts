import { launchChromium, SmtpSink } from '@signoff/testing';
import type { Browser } from 'playwright-core';
import { AccountPageDriver } from './account-page';
import { TestStack } from './test-stack';

/** What a browser spec drives: a two-gateway stack with a real SMTP server, and pages in one Chromium. */
export interface BrowserSuite {
  readonly stack: TestStack;
  readonly smtp: SmtpSink;
  /** A page on gateway 0, closed after the test; the test fails if the page logged problems. */
  open(options?: { viewport?: { width: number; height: number }; path?: string; headers?: Record<string, string> }): Promise<AccountPageDriver>;
}

/**
 * Registers the suite's hooks (call it inside `describe`): the stack, the mail server and Chromium
 * start once, every page a test opened is checked and closed after it, all stop at the end.
 * `gatewayEnv` adds to the gateways' settings (throttles, trusted proxies).
 */
export function useBrowserSuite(gatewayEnv: Record<string, string>): BrowserSuite {
  let stack: TestStack | undefined;
  let smtp: SmtpSink | undefined;
  let browser: Browser | undefined;
  const pages: AccountPageDriver[] = [];

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    [stack, browser] = await Promise.all([
      TestStack.start({ gateways: 2, env: gatewayEnv, authEnv: { SMTP_URL: smtp.url, MAIL_POLL_MS: '100' } }),
      launchChromium(),
    ]);
  }, 120_000);

  afterEach(async () => {
    for (const page of pages.splice(0)) {
      expect(page.problems).toEqual([]);
      await page.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await smtp?.close();
  }, 60_000);

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the browser suite has not started (use it inside describe, from a test)');
    return value;
  };
  return {
    get stack() {
      return started(stack);
    },
    get smtp() {
      return started(smtp);
    },
    async open(options = {}) {
      const page = await AccountPageDriver.open(started(browser), started(stack).gateway(0), options.viewport, { path: options.path, headers: options.headers });
      pages.push(page);
      return page;
    },
  };
}
