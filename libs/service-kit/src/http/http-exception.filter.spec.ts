import { ArgumentsHost, BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { SignoffError } from '@signoff/contracts';
import { HttpExceptionFilter } from './http-exception.filter';

function respond(exception: unknown): { status: number; body: unknown; headers: Record<string, string> } {
  const captured = { status: 0, body: undefined as unknown, headers: {} as Record<string, string> };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (captured.headers[name] = value),
    status(code: number) {
      captured.status = code;
      return this;
    },
    json(body: unknown) {
      captured.body = body;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new HttpExceptionFilter().catch(exception, host);
  return captured;
}

describe('HttpExceptionFilter', () => {
  it('answers a SignoffError with its status, code and logout directive', () => {
    const out = respond(new SignoffError('SESSION_REVOKED', 'signed out', { logout: { revocationId: 'r', purgeDownloads: true } }));
    expect(out.status).toBe(401);
    expect(out.body).toEqual({ error: { code: 'SESSION_REVOKED', message: 'signed out' }, logout: { revocationId: 'r', purgeDownloads: true } });
  });

  it('sets Retry-After for rate limits', () => {
    const out = respond(new SignoffError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 7 }));
    expect(out.status).toBe(429);
    expect(out.headers['Retry-After']).toBe('7');
  });

  it('gives framework errors codes of their own', () => {
    expect(respond(new BadRequestException('Unexpected end of JSON input')).body).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
    expect(respond(Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 })).body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(respond(new PayloadTooLargeException()).status).toBe(413);
    expect(respond(new NotFoundException('Cannot GET /x')).body).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });

  it('maps a database outage to 503 with a code', () => {
    const out = respond(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expect(out.status).toBe(503);
    expect(out.body).toMatchObject({ error: { code: 'DEPENDENCY_UNAVAILABLE' } });
  });

  it('maps a value the database refuses to 400 VALIDATION_FAILED (the backstop behind the contracts)', () => {
    const out = respond(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { driverError: { code: '22021' } }));
    expect(out.status).toBe(400);
    expect(out.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(JSON.stringify(out.body)).not.toContain('0x00');
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE with a code', () => {
    const out = respond(new SignoffError('UNSUPPORTED_MEDIA_TYPE', 'request bodies are JSON'));
    expect(out.status).toBe(415);
    expect(out.body).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('never leaks an unexpected error’s message', () => {
    const out = respond(new Error('secret internals at /srv/app.ts:42'));
    expect(out.status).toBe(500);
    expect(JSON.stringify(out.body)).not.toContain('secret');
  });
});
