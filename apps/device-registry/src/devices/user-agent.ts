import { INPUT_LIMITS } from '@signoff/contracts';
import { UAParser } from 'ua-parser-js';

/** What a User-Agent header tells about a device; null where it says nothing usable. */
export interface UserAgentDetails {
  /** "Android 14", "iOS 17.4", "Windows 10", "Tizen 7.0"; the name alone when no version is given. */
  os: string | null;
  /** The browser and its major version ("Chrome 126") when the client is a browser. */
  appVersion: string | null;
}

const NOTHING: UserAgentDetails = { os: null, appVersion: null };

/**
 * Parses with ua-parser-js 1.x (MIT; 2.x is AGPL, so stay on 1.x). A native app's HTTP client
 * (okhttp, CFNetwork) names no browser, so its app version stays null rather than guessed.
 */
export function parseUserAgent(userAgent: string | null | undefined): UserAgentDetails {
  if (!userAgent?.trim()) return NOTHING;
  const parser = new UAParser(userAgent);
  const os = parser.getOS();
  const browser = parser.getBrowser();
  const major = browser.version?.split('.')[0];
  return {
    os: os.name ? clip(os.version ? `${os.name} ${os.version}` : os.name) : null,
    appVersion: browser.name && major ? clip(`${browser.name} ${major}`) : null,
  };
}

/** Keeps derived text within what a device may say about itself. */
function clip(text: string): string {
  return text.slice(0, INPUT_LIMITS.shortTextMax);
}
