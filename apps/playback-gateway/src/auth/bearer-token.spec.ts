import { SignoffError } from '@signoff/contracts';
import { bearerToken } from './bearer-token';

describe('bearerToken', () => {
  const codeOf = (header: string | string[] | undefined): string => {
    try {
      bearerToken(header);
      return 'OK';
    } catch (error) {
      return (error as SignoffError).code;
    }
  };

  it('returns the token of a bearer header', () => {
    expect(bearerToken('Bearer abc.def-ghi_jkl')).toBe('abc.def-ghi_jkl');
  });

  it('says the token is missing when there is no header', () => {
    expect(codeOf(undefined)).toBe('TOKEN_MISSING');
    expect(codeOf('')).toBe('TOKEN_MISSING');
    expect(codeOf(['Bearer a', 'Bearer b'])).toBe('TOKEN_MISSING');
  });

  it('refuses other schemes and malformed values as invalid', () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'bearer abc', 'Bearer <script>']) {
      expect(codeOf(header)).toBe('TOKEN_INVALID');
    }
  });
});
