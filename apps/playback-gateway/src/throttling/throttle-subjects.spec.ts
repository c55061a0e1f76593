import { addressSubject, emailSubject } from './throttle-subjects';

describe('emailSubject', () => {
  it('gives every spelling of one account the same subject', () => {
    expect(emailSubject('  Holder@Example.TEST ')).toBe(emailSubject('holder@example.test'));
    expect(emailSubject('holder@example.test')).not.toBe(emailSubject('other@example.test'));
  });

  it('never carries the email itself', () => {
    const subject = emailSubject('holder@example.test');
    expect(subject).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(subject).not.toContain('holder');
  });
});

describe('addressSubject', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    [undefined, 'unknown'],
    ['', 'unknown'],
    ['not-an-address', 'unknown'],
  ])('%s counts as %s', (address, subject) => {
    expect(addressSubject(address)).toBe(subject);
  });

  it('puts one IPv6 /64 in one count and the next /64 in another', () => {
    expect(addressSubject('2001:db8:1:2:aaaa::1')).toBe(addressSubject('2001:db8:1:2:bbbb::2'));
    expect(addressSubject('2001:db8:1:3::1')).not.toBe(addressSubject('2001:db8:1:2::1'));
  });
});
