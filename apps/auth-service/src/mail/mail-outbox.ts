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
}
