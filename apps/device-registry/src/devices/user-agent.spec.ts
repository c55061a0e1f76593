import { parseUserAgent } from './user-agent';

/** Real User-Agent strings, as devices and browsers send them. */
const UA = {
  samsungTizenTv: 'Mozilla/5.0 (SMART-TV; LINUX; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) 94.0.4606.31/7.0 TV Safari/537.36',
  lgWebOsTv: 'Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.88 Safari/537.36 WebAppManager',
  androidChrome: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36',
  iphoneSafari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  windowsChrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  linuxFirefox: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  androidNativeApp: 'okhttp/4.12.0',
};

describe('parseUserAgent', () => {
  it.each([
    ['a Samsung TV (Tizen)', UA.samsungTizenTv, { os: 'Tizen 7.0', appVersion: null }],
    ['an LG TV (webOS)', UA.lgWebOsTv, { os: 'webOS TV', appVersion: 'Chrome 87' }],
    ['an Android phone in Chrome', UA.androidChrome, { os: 'Android 14', appVersion: 'Chrome 126' }],
    ['an iPhone in Safari', UA.iphoneSafari, { os: 'iOS 17.4', appVersion: 'Mobile Safari 17' }],
    ['desktop Chrome on Windows', UA.windowsChrome, { os: 'Windows 10', appVersion: 'Chrome 126' }],
    ['desktop Firefox on Ubuntu', UA.linuxFirefox, { os: 'Ubuntu', appVersion: 'Firefox 127' }],
    ['a native app’s HTTP client', UA.androidNativeApp, { os: null, appVersion: null }],
    ['garbage', '<script>alert(1)</script>', { os: null, appVersion: null }],
    ['an empty header', '', { os: null, appVersion: null }],
    ['blanks', '   ', { os: null, appVersion: null }],
    ['no header', undefined, { os: null, appVersion: null }],
  ])('reads %s', (_name, userAgent, expected) => {
    expect(parseUserAgent(userAgent)).toEqual(expected);
  });

  it('keeps what it derives within the length a device may send', () => {
    const { appVersion } = parseUserAgent(`Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/${'9'.repeat(200)}.0`);
    expect(appVersion).toBe(`Chrome ${'9'.repeat(93)}`);
  });
});
