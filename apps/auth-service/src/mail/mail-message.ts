/**
 * One row of `auth.mail_outbox` (see the migration). Read and written with plain SQL: the
 * relay's claim is an `UPDATE … RETURNING`, and no feature needs it as a mapped entity.
 */
export interface MailMessage {
  id: string;
  to: string;
  subject: string;
  /** Plain text; may hold a secret (a reset link): never logged. */
  text: string;
  attempts: number;
}
