import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { expectEventually } from './expect-eventually';

/** One mail as it arrived: envelope, the headers that matter, the (plain-text) body. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

/**
 * A real SMTP server in this process on a free port, collecting what arrives (tests only). No
 * TLS, any login accepted. `url` is what a service takes as `SMTP_URL`.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  private readonly server: SMTPServer;
  private port = 0;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            ...parsePlainMail(raw),
            raw,
          });
          callback();
        });
      },
    });
  }

  /** What a service takes as `SMTP_URL`. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Starts on `port` (0: any free one). */
  static async start(port = 0): Promise<SmtpSink> {
    const sink = new SmtpSink();
    await new Promise<void>((resolve, reject) => {
      sink.server.once('error', reject);
      sink.server.listen(port, '127.0.0.1', () => resolve());
    });
    sink.port = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  /** The mails addressed to `to`, optionally only those whose subject matches. */
  to(address: string, subject?: RegExp): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address) && (!subject || subject.test(m.subject)));
  }

  /** Waits for a mail to `address` (with a matching subject, if given) and returns the first. */
  waitFor(address: string, options: { timeoutMs?: number; subject?: RegExp } = {}): Promise<ReceivedMail> {
    return expectEventually(
      () => {
        const found = this.to(address, options.subject);
        if (found.length === 0) throw new Error(`no mail to ${address}${options.subject ? ` matching ${options.subject}` : ''} yet`);
        return found[0];
      },
      { timeoutMs: options.timeoutMs ?? 10_000 },
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Subject and body of a plain-text mail as nodemailer writes it: headers (folded lines joined),
 * a blank line, then the body in 7bit or quoted-printable. Enough for tests; not a MIME parser.
 */
export function parsePlainMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  let body = split === -1 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if ((headers.get('content-transfer-encoding') ?? '').toLowerCase() === 'quoted-printable') {
    body = Buffer.from(
      body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  }
  return { subject: headers.get('subject') ?? '', text: body.replace(/\r\n/g, '\n') };
}
