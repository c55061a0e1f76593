/** One spelling per mailbox: sign-up and sign-in both compare trimmed, lower-cased addresses. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
