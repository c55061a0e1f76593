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
