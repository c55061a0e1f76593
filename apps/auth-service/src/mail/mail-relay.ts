import { Logger } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { DrainLoop } from '@signoff/messaging';
import { DataSource } from 'typeorm';
import { MailMessage } from './mail-message';
import { MailTransport } from './mail-transport';

export interface MailRelayOptions {
  from: string;
  /** Safety-net poll for due rows (retries, lost kicks, another replica's commits). */
  pollIntervalMs: number;
  batchSize: number;
  /** After this many failed attempts a row is marked `failed_at` and left alone. */
  maxAttempts: number;
  /** Delay after the first failure; doubled per further failure, capped at `maxBackoffMs`. */
  retryBaseMs: number;
  maxBackoffMs: number;
  /** A claimed row is due again after this long if the sender died before marking it. */
  leaseMs: number;
}

type Claimed = MailMessage;

const FAILED_GAUGE = 'signoff_mail_outbox_failed';

/** `signoff_mail_outbox_failed`: mails given up on (one process-wide gauge, set by the relay). */
function failedGauge(): Gauge {
  const existing = register.getSingleMetric(FAILED_GAUGE);
  if (existing) return existing as Gauge;
  return new Gauge({ name: FAILED_GAUGE, help: 'Mails in the auth-service mail outbox marked failed after MAIL_MAX_ATTEMPTS' });
}

/**
 * Sends the mail outbox, the shape of the event `OutboxRelay` but built for a slow, flaky peer:
 * due rows are claimed with `FOR UPDATE SKIP LOCKED` in a short transaction that also counts the
 * attempt and leases the row (pushes `next_attempt_at` forward), so replicas share the work and
 * no transaction stays open while an SMTP server thinks. Each row is then sent on its own and
 * marked: `sent_at` on success; on failure `next_attempt_at` backs off exponentially, and after
 * `maxAttempts` the row is marked `failed_at` (logged at error level and counted in the
 * `signoff_mail_outbox_failed` gauge on `/metrics`). Either end blanks the body: it holds reset
 * links, "this wasn't me" links and step-up codes, which a copy of the database must not give
 * away once the mail is gone (recipient and subject stay, for the operator). A crash between sending and marking sends
 * the mail again once the lease ends: at least once, never lost.
 */
export class MailRelay {
  private readonly logger = new Logger(MailRelay.name);
  private readonly failed = failedGauge();
  private readonly loop: DrainLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transport: MailTransport,
    private readonly options: MailRelayOptions,
  ) {
    this.loop = new DrainLoop(() => this.drain(), options.pollIntervalMs);
  }

  start(): void {
    void this.refreshFailedCount();
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport.close();
  }

  /** Ask for a drain now (after a commit that queued mail). Coalesces like the event relay. */
  kick(): void {
    this.loop.kick();
  }

  /** Resolves once the drain in progress (if any) has finished (tests, shutdown). */
  flush(): Promise<void> {
    return this.loop.flush();
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.loop.isStopped) break;
        const rows = await this.claim();
        await Promise.all(rows.map((row) => this.sendOne(row)));
        if (rows.length < this.options.batchSize) break;
      }
    } catch (error) {
      // The database is unavailable: the next poll tries again; the rows wait, never lost.
      this.logger.warn(`mail relay waiting: ${(error as Error).message}`);
    }
  }

  private async claim(): Promise<Claimed[]> {
    const result: unknown = await this.dataSource.query(
      `UPDATE auth.mail_outbox m
          SET attempts = m.attempts + 1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
        WHERE m.id IN (
          SELECT id FROM auth.mail_outbox
           WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
           ORDER BY id
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING m.id, m."to", m.subject, m.text, m.attempts`,
      [this.options.batchSize, this.options.leaseMs],
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, affectedCount].
    const [rows] = result as [Claimed[], number];
    return rows;
  }

  private async sendOne(row: Claimed): Promise<void> {
    try {
      await this.transport.send({ from: this.options.from, to: row.to, subject: row.subject, text: row.text });
    } catch (error) {
      await this.markFailedAttempt(row, (error as Error).message || String(error));
      return;
    }
    await this.dataSource.query(`UPDATE auth.mail_outbox SET sent_at = now(), last_error = NULL, text = '' WHERE id = $1`, [row.id]);
  }

  private async markFailedAttempt(row: Claimed, message: string): Promise<void> {
    const lastError = message.slice(0, 500);
    if (row.attempts >= this.options.maxAttempts) {
      await this.dataSource.query(`UPDATE auth.mail_outbox SET failed_at = now(), last_error = $2, text = '' WHERE id = $1`, [row.id, lastError]);
      this.logger.error(`mail failed for good after ${row.attempts} attempts: id=${row.id} to=${row.to} subject="${row.subject}" error=${lastError}`);
      await this.refreshFailedCount();
      return;
    }
    const delayMs = Math.min(this.options.retryBaseMs * 2 ** (row.attempts - 1), this.options.maxBackoffMs);
    await this.dataSource.query(
      `UPDATE auth.mail_outbox SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), last_error = $3 WHERE id = $1`,
      [row.id, delayMs, lastError],
    );
    this.logger.warn(`mail not sent (attempt ${row.attempts} of ${this.options.maxAttempts}, next in ${delayMs} ms): id=${row.id} error=${lastError}`);
  }

  private async refreshFailedCount(): Promise<void> {
    try {
      const rows = (await this.dataSource.query(`SELECT count(*)::int AS failed FROM auth.mail_outbox WHERE failed_at IS NOT NULL`)) as Array<{ failed: number }>;
      this.failed.set(rows[0].failed);
    } catch (error) {
      this.logger.warn(`could not count failed mail: ${(error as Error).message}`);
    }
  }
}
