import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A mail's body holds secrets (reset links, "this wasn't me" links, step-up codes) only until it
 * is sent or given up on: the relay now blanks it then, and this blanks the rows ended before.
 * And what coalescing the mails of repeated sign-ups to one address needs: an index by
 * recipient, and a `suppressed` mark for the notices it holds back.
 */
export class SentMailBodiesForgotten1796050800000 implements MigrationInterface {
  name = 'SentMailBodiesForgotten1796050800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE auth.mail_outbox SET text = '' WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND text <> ''`);
    // Sign-up notices are coalesced per address: "was one queued for it lately?". A coalesced
    // notice is still written (as `suppressed`, never sent) so both sign-up paths write alike.
    await queryRunner.query(`ALTER TABLE auth.mail_outbox ADD COLUMN suppressed boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE INDEX mail_outbox_recipient ON auth.mail_outbox ("to", subject, created_at) WHERE NOT suppressed`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Forgotten bodies cannot come back.
    await queryRunner.query(`DROP INDEX IF EXISTS auth.mail_outbox_recipient`);
    await queryRunner.query(`ALTER TABLE auth.mail_outbox DROP COLUMN suppressed`);
  }
}
