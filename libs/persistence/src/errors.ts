import { SignoffError } from '@signoff/contracts';

/**
 * Maps driver failures that mean "the database is not there right now" to a 503 with a code,
 * so callers answer clearly and nothing half-written escapes (the transaction rolled back).
 */
export function asDependencyError(error: unknown): SignoffError | undefined {
  if (error instanceof SignoffError) return undefined;
  const err = error as { code?: string; message?: string; driverError?: { code?: string } };
  const code = err.driverError?.code ?? err.code;
  const message = err.message ?? '';
  const unavailable =
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === '57P01' || // admin_shutdown
    code === '57P03' || // cannot_connect_now
    code === '08006' ||
    code === '08001' ||
    /Connection terminated|timeout exceeded when trying to connect|Connection terminated unexpectedly/i.test(message);
  if (unavailable) return new SignoffError('DEPENDENCY_UNAVAILABLE', 'the database is unavailable; nothing was changed, try again');
  if (code === '57014') return new SignoffError('DEPENDENCY_TIMEOUT', 'the database did not answer in time; nothing was changed');
  return undefined;
}

/**
 * SQLSTATEs that mean "this value cannot be stored", whatever the code around it: class 22 (data
 * exception: a NUL or a lone surrogate in text or JSON, 22021 / 22P05; a value too long, 22001;
 * a number out of range, 22003; text that is not a uuid, 22P02 …) and 23514 (a check constraint).
 */
const INPUT_SQLSTATE = /^(22[0-9A-Z]{3}|23514)$/;

/**
 * The backstop for input the contracts let through by mistake: a database refusal caused by a
 * value becomes `400 VALIDATION_FAILED` instead of a 500 (the transaction rolled back, nothing
 * was written). Input must still be stopped at the contract first (docs/security.md, "Hostile
 * input"); callers log these, as each one is a rule missing there.
 */
export function asInputError(error: unknown): SignoffError | undefined {
  if (error instanceof SignoffError) return undefined;
  const err = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = err?.driverError?.code ?? err?.code;
  if (typeof code !== 'string' || !INPUT_SQLSTATE.test(code)) return undefined;
  return new SignoffError('VALIDATION_FAILED', 'a value in the request cannot be stored; nothing was changed', { fields: [] });
}

/** The SQLSTATE of a driver error, for logs. */
export function sqlStateOf(error: unknown): string | undefined {
  const err = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = err?.driverError?.code ?? err?.code;
  return typeof code === 'string' ? code : undefined;
}
