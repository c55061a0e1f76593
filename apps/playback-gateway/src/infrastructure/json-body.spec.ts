import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { listeningPort, createValidationPipe, HttpExceptionFilter } from '@signoff/service-kit';
import { RefreshRequest } from '@signoff/contracts';
import { hasBody, mountJsonBodyParsing } from './json-body';

@Controller()
class EchoController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: RefreshRequest): RefreshRequest {
    return body;
  }

  /** A route that reads no body: a body sent anyway is still parsed (and refused) the same way. */
  @Post('bodiless')
  @HttpCode(204)
  bodiless(): void {
    // reads nothing
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

/** Parsing as the gateway mounts it (gateway.ts), on a small app: only JSON, strictly, depth capped. */
describe('request bodies', () => {
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(EchoModule, { logger: false, bodyParser: false });
    mountJsonBodyParsing(app, 1024);
    app.useGlobalFilters(new HttpExceptionFilter());
    app.useGlobalPipes(createValidationPipe());
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${listeningPort(app)}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  async function post(path: string, body: string | undefined, contentType?: string): Promise<{ status: number; code?: string; body: unknown }> {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: contentType ? { 'Content-Type': contentType } : {}, body });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as { error?: { code?: string } }) : undefined;
    return { status: response.status, code: parsed?.error?.code, body: parsed };
  }

  it('reads application/json (with a charset too)', async () => {
    expect(await post('/echo', '{"refreshToken":"rt"}', 'application/json')).toMatchObject({ status: 200, body: { refreshToken: 'rt' } });
    expect(await post('/echo', '{"refreshToken":"rt"}', 'application/json; charset=utf-8')).toMatchObject({ status: 200 });
  });

  it.each([
    ['a form', 'refreshToken=rt', 'application/x-www-form-urlencoded'],
    ['an extended form', 'refreshToken[a]=rt', 'application/x-www-form-urlencoded'],
    ['text', '{"refreshToken":"rt"}', 'text/plain'],
    ['multipart', '--x\r\n\r\n--x--', 'multipart/form-data; boundary=x'],
    ['no content type', '{"refreshToken":"rt"}', undefined],
    ['a JSON lookalike type', '{"refreshToken":"rt"}', 'application/jsonx'],
  ])('refuses %s with 415 UNSUPPORTED_MEDIA_TYPE, on routes that read no body too', async (_name, body, type) => {
    // fetch labels a string body text/plain when no type is given; a raw socket would not, the answer is the same.
    expect(await post('/echo', body, type)).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await post('/bodiless', body, type)).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('lets a request without a body through whatever it says its type is', async () => {
    expect(await post('/bodiless', undefined, 'text/plain')).toMatchObject({ status: 204 });
    expect(await post('/echo', undefined, undefined)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it.each([
    ['a bare string', '"rt"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('refuses %s as malformed (objects and arrays only)', async (_name, body) => {
    expect(await post('/echo', body, 'application/json')).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
  });

  it('refuses an unsupported charset with 415', async () => {
    expect(await post('/echo', '{"refreshToken":"rt"}', 'application/json; charset=latin-9000')).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('refuses a body over the limit with 413', async () => {
    expect(await post('/echo', JSON.stringify({ refreshToken: 'x'.repeat(2048) }), 'application/json')).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses nesting deeper than 32 levels with 400 before any route reads it', async () => {
    const deep = '['.repeat(400) + ']'.repeat(400);
    expect(await post('/echo', deep, 'application/json')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await post('/bodiless', deep, 'application/json')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const atTheCap = JSON.stringify({ refreshToken: 'rt', x: JSON.parse('['.repeat(31) + ']'.repeat(31)) });
    expect(await post('/bodiless', atTheCap, 'application/json')).toMatchObject({ status: 204 });
  });

  it('knows when a request carries a body', () => {
    expect(hasBody({ headers: {} })).toBe(false);
    expect(hasBody({ headers: { 'content-length': '0' } })).toBe(false);
    expect(hasBody({ headers: { 'content-length': '12' } })).toBe(true);
    expect(hasBody({ headers: { 'transfer-encoding': 'chunked' } })).toBe(true);
  });
});
