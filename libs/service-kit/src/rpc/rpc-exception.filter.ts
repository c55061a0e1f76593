import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { SignoffError, WireError } from '@signoff/contracts';
import { asDependencyError, asInputError, sqlStateOf } from '@signoff/persistence';
import { Observable, throwError } from 'rxjs';

/**
 * The one translation of failures for request/reply handlers: a `SignoffError` travels as its
 * wire form; a database outage becomes `DEPENDENCY_UNAVAILABLE`; a value the database refuses
 * (SQLSTATE class 22, 23514) becomes `VALIDATION_FAILED`, logged as a rule the contract lacks;
 * anything else is logged and reported as `INTERNAL_ERROR` without its message (no internals
 * leak to callers).
 */
@Catch()
export class RpcExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(RpcExceptionFilter.name);

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => toWireError(exception, this.logger));
  }
}

export function toWireError(exception: unknown, logger?: Logger): WireError {
  if (exception instanceof SignoffError) return exception.toWire();
  const dependency = asDependencyError(exception);
  if (dependency) {
    logger?.warn(`dependency failure: ${(exception as Error).message}`);
    return dependency.toWire();
  }
  const input = asInputError(exception);
  if (input) {
    logger?.warn(`input refused by the database (SQLSTATE ${sqlStateOf(exception)}), a contract rule is missing: ${(exception as Error)?.stack ?? String(exception)}`);
    return input.toWire();
  }
  logger?.error(`unexpected failure: ${(exception as Error)?.stack ?? String(exception)}`);
  return new SignoffError('INTERNAL_ERROR', 'unexpected server error').toWire();
}
