import { TransactionContext } from '@signoff/persistence';

export interface MailToQueue {
  to: string;
  subject: string;
  text: string;
}

/**
 * Queues a mail in the running transaction: it is sent only if its cause commits, and it is not
 * lost if the mail server is down (the relay retries). Call `MailRelay.kick()` after the commit.
 */
export class MailOutbox {
  constructor(private readonly tx: TransactionContext) {}

  async add(mail: MailToQueue): Promise<void> {
    if (!this.tx.inTransaction) throw new Error('mail queued outside a transaction would not commit with its cause');
    await this.tx.manager.query(`INSERT INTO auth.mail_outbox ("to", subject, text) VALUES ($1, $2, $3)`, [mail.to, mail.subject, mail.text]);
  }

  /**
   * Queues the mail unless one with the same recipient and subject was queued within
   * `intervalSeconds`: a mail that anyone can cause (a sign-up attempt for somebody's address)
   * reaches its recipient at most once an interval. Held back, it is still written, as a
   * `suppressed` row without a body that the relay never sends: the same statement and the same
   * write whether it queues or not, so the time of the answer tells nothing.
   * @returns whether it was queued to be sent.
   */
  async addAtMostEvery(intervalSeconds: number, mail: MailToQueue): Promise<boolean> {
    if (!this.tx.inTransaction) throw new Error('mail queued outside a transaction would not commit with its cause');
    // Racing causes for one recipient take turns, so the second sees the first's mail.
    await this.tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext('mail to ' || $1::text))`, [mail.to]);
    const rows = (await this.tx.manager.query(
      `WITH recent AS (
         SELECT EXISTS (SELECT 1 FROM auth.mail_outbox
                         WHERE "to" = $1 AND subject = $2 AND NOT suppressed AND created_at > now() - make_interval(secs => $4::double precision)) AS held)
       INSERT INTO auth.mail_outbox ("to", subject, text, suppressed, sent_at)
       SELECT $1, $2, CASE WHEN held THEN '' ELSE $3 END, held, CASE WHEN held THEN now() END FROM recent
       RETURNING NOT suppressed AS queued`,
      [mail.to, mail.subject, mail.text, intervalSeconds],
    )) as Array<{ queued: boolean }>;
    return rows[0]?.queued === true;
  }
}
