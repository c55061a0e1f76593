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

  /**
   * Inserts the account and its first profile unless the email is taken; false if it is. One
   * statement either way (the same round trips for a free and a taken address), and `ON
   * CONFLICT DO NOTHING` rather than a prior look-up: two sign-ups racing for one address cannot
   * both win, and the loser's transaction stays usable (it still queues its mail).
   */
  async insertIfEmailFree(account: Account, profile: Profile): Promise<boolean> {
    const rows = (await this.tx.manager.query(
      `WITH account AS (
         INSERT INTO auth.accounts (id, email, password_hash, plan, epoch, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (email) DO NOTHING RETURNING id)
       INSERT INTO auth.profiles (id, account_id, name, kids, created_at)
       SELECT $7, id, $8, $9, $10 FROM account RETURNING account_id`,
      [account.id, account.email, account.passwordHash, account.plan, account.epoch, account.createdAt, profile.id, profile.name, profile.kids, profile.createdAt],
    )) as unknown[];
    return rows.length === 1;
  }

  profileOf(accountId: string, profileId: string): Promise<Profile | null> {
    return this.tx.repo(Profile).findOneBy({ id: profileId, accountId });
  }

  profilesOf(accountId: string): Promise<Profile[]> {
    return this.tx.repo(Profile).find({ where: { accountId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
