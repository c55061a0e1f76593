import { approximatePlace, deviceKind, isFinalProgress, locationLabel, progressLabel, timeAgo, waitLabel } from './format';

describe('format', () => {
  const now = new Date('2026-11-21T12:00:00Z');

  it('says how long ago, in words, then the date', () => {
    expect(timeAgo('2026-11-21T11:59:30Z', now)).toBe('just now');
    expect(timeAgo('2026-11-21T11:59:00Z', now)).toBe('1 minute ago');
    expect(timeAgo('2026-11-21T11:15:00Z', now)).toBe('45 minutes ago');
    expect(timeAgo('2026-11-21T09:00:00Z', now)).toBe('3 hours ago');
    expect(timeAgo('2026-11-19T12:00:00Z', now)).toBe('2 days ago');
    expect(timeAgo('2026-10-01T12:00:00Z', now)).toMatch(/2026/);
    expect(timeAgo(null, now)).toBeNull();
    expect(timeAgo('not a date', now)).toBeNull();
  });

  it('names a place from what is known of it', () => {
    expect(locationLabel({ city: 'Porto', region: 'Porto', country: 'PT' })).toBe('Porto, Porto, PT');
    expect(locationLabel({ city: null, region: null, country: 'PT' })).toBe('PT');
    expect(locationLabel({ city: null, region: null, country: null })).toBeNull();
    expect(locationLabel(null)).toBeNull();
  });

  it('says where a sign-in came from, approximately, or that it is not known', () => {
    expect(approximatePlace({ city: 'Mountain View', region: 'California', country: 'US' })).toBe('near Mountain View, California, US (approximate)');
    expect(approximatePlace({ city: null, region: null, country: null })).toMatch(/^Not known/);
    expect(approximatePlace(undefined)).toMatch(/^Not known/);
  });

  it('names the kind of device and its system', () => {
    expect(deviceKind({ type: 'computer', os: 'Windows 11' })).toBe('Computer, Windows 11');
    expect(deviceKind({ type: 'tv', os: null })).toBe('TV');
  });

  it('tells an offline device that is waiting from one on its way', () => {
    expect(progressLabel('pending', true)).toContain('next connects');
    expect(progressLabel('pending', false)).toBe('Signing out…');
    expect(progressLabel('cut', false)).toContain('Stream stopped');
    expect(progressLabel('logged_out_on_reconnect', true)).toContain('reconnected');
    expect(['pending', 'cut', 'acknowledged', 'logged_out_on_reconnect'].map((s) => isFinalProgress(s as never))).toEqual([false, false, true, true]);
  });

  it('turns Retry-After into minutes to wait', () => {
    expect(waitLabel(null)).toBe('Wait a minute');
    expect(waitLabel(30)).toBe('Wait a minute');
    expect(waitLabel(14 * 60 + 5)).toBe('Wait 15 minutes');
  });
});
