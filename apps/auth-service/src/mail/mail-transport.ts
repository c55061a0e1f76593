import { Logger } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Where the mail relay hands a mail; resolves once the server accepted it. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** SMTP through nodemailer, with timeouts so a stalled server cannot hold the relay. */
export class SmtpMailTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(smtpUrl: string) {
    const url = new URL(smtpUrl);
    this.transporter = createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail(mail);
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * No SMTP configured (`npm start` on a laptop): the mail is logged — recipient and subject, not
 * the body, which may hold a reset link — and counts as sent.
 */
export class LogMailTransport implements MailTransport {
  private readonly logger = new Logger('MailLog');

  send(mail: OutgoingMail): Promise<void> {
    this.logger.log(`mail not sent (SMTP_URL is empty): to=${mail.to} subject="${mail.subject}"`);
    return Promise.resolve();
  }

  close(): void {
    // nothing to close
  }
}

export function mailTransportFor(smtpUrl: string): MailTransport {
  return smtpUrl ? new SmtpMailTransport(smtpUrl) : new LogMailTransport();
}
