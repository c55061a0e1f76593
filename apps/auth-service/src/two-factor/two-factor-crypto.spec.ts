import { randomBytes } from 'node:crypto';
import { TwoFactorCrypto } from './two-factor-crypto';
import { classifyCode, newRecoveryCode } from './totp';

describe('TwoFactorCrypto', () => {
  const crypto = new TwoFactorCrypto(randomBytes(32));

  it('seals a secret so that only its own account opens it, with a fresh IV each time', () => {
    const sealed = crypto.seal('JBSWY3DPEHPK3PXP', 'account-a');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(crypto.seal('JBSWY3DPEHPK3PXP', 'account-a')).not.toBe(sealed);
    expect(crypto.open(sealed, 'account-a')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => crypto.open(sealed, 'account-b')).toThrow();
    expect(() => new TwoFactorCrypto(randomBytes(32)).open(sealed, 'account-a')).toThrow();
  });

  it('hashes recovery codes per account with the key', () => {
    const hash = crypto.recoveryCodeHash('account-a', 'ABCDE12345');
    expect(hash).toBe(crypto.recoveryCodeHash('account-a', 'ABCDE12345'));
    expect(hash).not.toBe(crypto.recoveryCodeHash('account-b', 'ABCDE12345'));
    expect(hash).not.toBe(new TwoFactorCrypto(randomBytes(32)).recoveryCodeHash('account-a', 'ABCDE12345'));
  });

  it('takes the key from config as hex or base64, and warns loudly when it falls back to the development key', () => {
    const key = randomBytes(32);
    const warn = jest.fn();
    const fromHex = TwoFactorCrypto.fromConfig({ TOTP_SECRET_KEY: key.toString('hex') }, { warn });
    const fromBase64 = TwoFactorCrypto.fromConfig({ TOTP_SECRET_KEY: key.toString('base64') }, { warn });
    expect(fromBase64.open(fromHex.seal('s', 'a'), 'a')).toBe('s');
    expect(warn).not.toHaveBeenCalled();
    TwoFactorCrypto.fromConfig({ TOTP_SECRET_KEY: '' }, { warn });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('TOTP_SECRET_KEY is not set'));
  });
});

describe('classifyCode', () => {
  it('tells TOTP codes from recovery codes as people type them', () => {
    expect(classifyCode('123 456')).toEqual({ kind: 'totp', code: '123456' });
    expect(classifyCode('abcde-12345')).toEqual({ kind: 'recovery', code: 'ABCDE12345' });
    expect(classifyCode('ILOUX-12345')).toEqual({ kind: 'malformed' });
    expect(classifyCode('12345')).toEqual({ kind: 'malformed' });
    const generated = newRecoveryCode();
    expect(classifyCode(generated)).toEqual({ kind: 'recovery', code: generated.replace('-', '') });
  });
});
