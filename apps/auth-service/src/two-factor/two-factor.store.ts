import { Injectable } from '@nestjs/common';
import { TransactionContext } from '@signoff/persistence';

/** One account's two-factor state as stored (the secret still sealed). */
export interface TwoFactorRecord {
  accountId: string;
  secretCiphertext: string;
  confirmedAt: Date | null;
  lastUsedStep: number | null;
}

interface TwoFactorRow {
  account_id: string;
  secret_ciphertext: string;
  confirmed_at: Date | null;
  last_used_step: string | null;
}

/**
 * `auth.two_factor` and `auth.two_factor_recovery_codes`, in plain SQL on the ambient
 * transaction. Every "use once" rule is one conditional statement, so two requests racing with
 * the same code cannot both win. Counts come back through a CTE so the driver's result shape
 * for UPDATE does not matter.
 */
@Injectable()
export class TwoFactorStore {
  constructor(private readonly tx: TransactionContext) {}

  async find(accountId: string, options: { lock: boolean }): Promise<TwoFactorRecord | undefined> {
    const rows = (await this.tx.manager.query(
      `SELECT account_id, secret_ciphertext, confirmed_at, last_used_step FROM auth.two_factor WHERE account_id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [accountId],
    )) as TwoFactorRow[];
    const row = rows[0];
    if (!row) return undefined;
    return {
      accountId: row.account_id,
      secretCiphertext: row.secret_ciphertext,
      confirmedAt: row.confirmed_at,
      lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
    };
  }

  /** Starts (or restarts) an enrolment; never touches a confirmed one. */
  async savePending(accountId: string, secretCiphertext: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO auth.two_factor (account_id, secret_ciphertext, created_at, confirmed_at, last_used_step)
       VALUES ($1, $2, $3, NULL, NULL)
       ON CONFLICT (account_id) DO UPDATE SET secret_ciphertext = EXCLUDED.secret_ciphertext, created_at = EXCLUDED.created_at, last_used_step = NULL
       WHERE auth.two_factor.confirmed_at IS NULL`,
      [accountId, secretCiphertext, at],
    );
  }

  async confirm(accountId: string, step: number, at: Date): Promise<boolean> {
    return this.countOf(
      `UPDATE auth.two_factor SET confirmed_at = $2, last_used_step = $3 WHERE account_id = $1 AND confirmed_at IS NULL RETURNING 1`,
      [accountId, at, step],
    ).then((n) => n === 1);
  }

  /** Records `step` as used; false when it (or a later one) was used already: a replay. */
  claimStep(accountId: string, step: number): Promise<boolean> {
    return this.countOf(
      `UPDATE auth.two_factor SET last_used_step = $2 WHERE account_id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING 1`,
      [accountId, step],
    ).then((n) => n === 1);
  }

  async replaceRecoveryCodes(accountId: string, codeHashes: string[], at: Date): Promise<void> {
    await this.tx.manager.query(`DELETE FROM auth.two_factor_recovery_codes WHERE account_id = $1`, [accountId]);
    await this.tx.manager.query(
      `INSERT INTO auth.two_factor_recovery_codes (account_id, code_hash, created_at) SELECT $1, unnest($2::text[]), $3`,
      [accountId, codeHashes, at],
    );
  }

  /** Uses up one recovery code; false when it is unknown or was used already. */
  useRecoveryCode(accountId: string, codeHash: string, at: Date): Promise<boolean> {
    return this.countOf(
      `UPDATE auth.two_factor_recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING 1`,
      [accountId, codeHash, at],
    ).then((n) => n === 1);
  }

  async recoveryCodesLeft(accountId: string): Promise<number> {
    const rows = (await this.tx.manager.query(
      `SELECT count(*)::int AS n FROM auth.two_factor_recovery_codes WHERE account_id = $1 AND used_at IS NULL`,
      [accountId],
    )) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  }

  /** Turns two-factor off: the secret and the recovery codes (cascade) are gone. */
  async delete(accountId: string): Promise<void> {
    await this.tx.manager.query(`DELETE FROM auth.two_factor WHERE account_id = $1`, [accountId]);
  }

  private async countOf(statement: string, parameters: unknown[]): Promise<number> {
    const rows = (await this.tx.manager.query(`WITH changed AS (${statement}) SELECT count(*)::int AS n FROM changed`, parameters)) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  }
}
