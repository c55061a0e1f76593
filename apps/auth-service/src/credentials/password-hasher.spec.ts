import { loadConfig } from '@signoff/service-kit';
import { AuthConfig } from '../config/auth.config';
import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(loadConfig(AuthConfig, { SIGNOFF_ENV: 'development' }));

  it('hashes with argon2id at m=19 MiB, t=2, p=1 and verifies', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    await expect(hasher.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'correct horse battery stapl')).resolves.toBe(false);
  });

  it('answers false, not an error, for a stored hash that does not parse', async () => {
    await expect(hasher.verify('not-a-phc-string', 'anything')).resolves.toBe(false);
  });

  it('costs about as much without an account as a wrong password with one', async () => {
    const hash = await hasher.hash('the real password');
    await hasher.verifyWithoutAccount('warm-up');
    const timed = async (work: () => Promise<boolean>): Promise<number> => {
      const start = process.hrtime.bigint();
      await work();
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const withAccount: number[] = [];
    const withoutAccount: number[] = [];
    // Interleaved, so load on the machine weighs on both sides alike.
    for (let i = 0; i < 5; i++) {
      withAccount.push(await timed(() => hasher.verify(hash, 'a wrong guess')));
      withoutAccount.push(await timed(() => hasher.verifyWithoutAccount('a wrong guess')));
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const ratio = median(withoutAccount) / median(withAccount);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
