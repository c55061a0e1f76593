import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorCode, ErrorEnvelope, SignoffError } from '@signoff/contracts';
import { asDependencyError, asInputError, sqlStateOf } from '@signoff/persistence';
import type { Response } from 'express';

/**
 * The one translation of failures to HTTP: always `{error:{code,message}}` with the status of
 * the code, plus the logout directive and tries left where they apply. Framework errors (bad JSON, body too
 * large, unknown route) get codes of their own; nothing leaks a stack trace.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const error = this.toSignoffError(exception);
    const body: ErrorEnvelope = { error: { code: error.code, message: error.message } };
    if (error.details.attemptsLeft !== undefined) body.error.attemptsLeft = error.details.attemptsLeft;
    if (error.details.logout) body.logout = error.details.logout;
    if (error.details.retryAfterSeconds) res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
    if (!res.headersSent) res.status(error.status).json(body);
  }

  private toSignoffError(exception: unknown): SignoffError {
    if (exception instanceof SignoffError) return exception;
    const dependency = asDependencyError(exception);
    if (dependency) return dependency;
    const input = asInputError(exception);
    if (input) {
      this.logger.warn(`input refused by the database (SQLSTATE ${sqlStateOf(exception)}), a contract rule is missing: ${(exception as Error)?.stack ?? String(exception)}`);
      return input;
    }
    const raw = exception as { type?: string; status?: number; statusCode?: number };
    // body-parser errors arrive before any route: JSON syntax, size, charset.
    if (raw?.type === 'entity.parse.failed') return new SignoffError('MALFORMED_JSON', 'the request body is not valid JSON');
    if (raw?.type === 'entity.too.large') return new SignoffError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest turns body-parser's SyntaxError into a bare 400 carrying the parser's message.
      if (status === 400 && exception.cause === undefined && /JSON/.test(exception.message)) {
        return new SignoffError('MALFORMED_JSON', 'the request body is not valid JSON');
      }
      const code = HTTP_STATUS_CODE[status];
      if (code) return new SignoffError(code, messageOf(exception));
      if (status < 500) return new SignoffError('VALIDATION_FAILED', messageOf(exception));
    }
    if (typeof raw?.status === 'number' && raw.status >= 400 && raw.status < 500) {
      return new SignoffError(raw.status === 413 ? 'PAYLOAD_TOO_LARGE' : raw.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED', 'the request could not be read');
    }
    this.logger.error(`unexpected failure: ${(exception as Error)?.stack ?? String(exception)}`);
    return new SignoffError('INTERNAL_ERROR', 'unexpected server error');
  }
}

const HTTP_STATUS_CODE: Partial<Record<number, ErrorCode>> = {
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
