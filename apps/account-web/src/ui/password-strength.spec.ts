import { ACCOUNT_PAGE } from '@signoff/contracts';
import { passwordStrength } from './password-strength';

describe('passwordStrength', () => {
  const limits = { min: 8, max: 256 };
  const level = (password: string) => passwordStrength(password, limits).level;

  it('says the minimum before anything is typed, then how many characters are missing', () => {
    expect(passwordStrength('', limits)).toEqual({ level: 'empty', text: expect.stringContaining('At least 8 characters') });
    expect(passwordStrength('abcdefg', limits)).toEqual({ level: 'too-short', text: 'Too short: 1 more character needed.' });
    expect(passwordStrength('abc', limits).text).toBe('Too short: 5 more characters needed.');
  });

  it('refuses nothing the API would take: from the minimum to the maximum it only grades', () => {
    for (const password of ['abcdefgh', 'x'.repeat(256), 'Tr0ub4dor&3']) expect(['weak', 'fair', 'strong']).toContain(level(password));
    expect(passwordStrength('x'.repeat(257), limits)).toEqual({ level: 'too-long', text: 'Too long: at most 256 characters.' });
  });

  it('grades by length first, then by the kinds of character', () => {
    expect(level('abcdefgh')).toBe('weak');
    expect(level('abcd1234')).toBe('weak');
    expect(level('Abcd1234')).toBe('fair');
    expect(level('abcdefghijkl')).toBe('fair');
    expect(level('Abcdefgh1234')).toBe('strong');
    expect(level('correct horse battery staple')).toBe('strong');
  });

  it('calls a long run of the same few characters weak', () => {
    expect(level('aaaaaaaaaaaaaaaaaaaa')).toBe('weak');
    expect(level('12121212121212121212')).toBe('weak');
  });

  it('uses the lengths the API enforces', () => {
    expect(ACCOUNT_PAGE.passwordLength).toEqual({ min: 8, max: 256 });
  });
});
