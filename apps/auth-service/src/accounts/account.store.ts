import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@signoff/persistence';
import { Account } from './account.entity';
import { Profile } from './profile.entity';

@Injectable()
export class AccountStore {
  constructor(private readonly tx: TransactionContext) {}

  findByEmail(email: string): Promise<Account | null> {
    return this.tx.repo(Account).findOneBy({ email });
  }

  findById(accountId: string): Promise<Account | null> {
    return this.tx.repo(Account).findOneBy({ id: accountId });
  }

  /**
   * Takes the account row `FOR UPDATE`: sign-in and "sign out everywhere" serialise on it, so
   * a sign-in either lands before the epoch bump (and its session is revoked with the rest) or
   * after it (and reads the new epoch).
   */
  lockById(accountId: string): Promise<Account | null> {
    return this.tx.repo(Account).createQueryBuilder('a').where('a.id = :accountId', { accountId }).setLock('pessimistic_write').getOne();
  }

  /**
   * Increments the account's epoch and returns the new value (undefined: no such account).
   * The UPDATE takes the account row lock, so it serialises with sign-ins like `lockById`.
   */
  async bumpEpoch(accountId: string): Promise<number | undefined> {
    const result = await this.tx
      .repo(Account)
      .createQueryBuilder()
      .update()
      .set({ epoch: () => 'epoch + 1' })
      .where('id = :accountId', { accountId })
      .returning(['epoch'])
      .execute();
    const rows = result.raw as Array<{ epoch: number }>;
    return rows[0]?.epoch;
  }

  async insert(account: Account, profiles: Profile[]): Promise<void> {
    await this.tx.repo(Account).insert(account);
    await this.tx.repo(Profile).insert(profiles);
  }

  profilesOf(accountId: string): Promise<Profile[]> {
    return this.tx.repo(Profile).find({ where: { accountId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
