import WebSocket from 'ws';
import { http, TestStack } from './support/test-stack';

/** Bad input on every route: a 4xx with an error code in the envelope, never a 500. */
describe('malformed and oversized input', () => {
  let stack: TestStack;
  let token: string;
  let gateway: string;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 1 });
    gateway = stack.gateway(0);
    const holder = await stack.signUp();
    const tv = stack.device(0, { id: 'tv', type: 'tv', name: 'TV' });
    await tv.signIn(holder.email, holder.password);
    token = tv.tokens!.accessToken;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const huge = 'x'.repeat(64 * 1024);
  const routes: Array<{ method: string; path: string; auth: boolean }> = [
    { method: 'POST', path: '/v1/accounts', auth: false },
    { method: 'POST', path: '/v1/auth/login', auth: false },
    { method: 'POST', path: '/v1/auth/refresh', auth: false },
    { method: 'POST', path: '/v1/auth/step-up', auth: true },
    { method: 'POST', path: '/v1/sessions/revoke-all', auth: true },
    { method: 'POST', path: '/v1/playback/sessions', auth: true },
    { method: 'POST', path: '/v1/playback/sessions/6f1c7a1e-5b1e-4a41-9d39-2d9b8f0b1c11/heartbeat', auth: true },
  ];

  const bodies: Array<[string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }]> = [
    ['broken JSON', { rawBody: '{"email": ' }],
    ['a JSON array', { body: [1, 2, 3] }],
    ['wrong types', { body: { email: 42, password: true, device: 'tv', refreshToken: 7, titleId: {}, positionMs: 'x', state: 9, includeCurrent: 'yes' } }],
    ['unknown fields', { body: { nonsense: 1, __proto__: { admin: true } } }],
    ['an oversized body', { rawBody: JSON.stringify({ email: huge, password: huge }) }],
    ['a non-JSON content type', { rawBody: 'email=a&password=b', headers: { 'Content-Type': 'text/plain' } }],
  ];

  it.each(routes)('$method $path answers 4xx with a code for every kind of bad body', async (route) => {
    for (const [kind, input] of bodies) {
      const response = await http(gateway, route.method, route.path, { ...input, token: route.auth ? token : undefined });
      const context = `${route.method} ${route.path} with ${kind}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`;
      expect({ context, status: response.status >= 400 && response.status < 500 }).toEqual({ context, status: true });
      expect({ context, code: typeof response.body?.error?.code }).toEqual({ context, code: 'string' });
      expect(response.body.error.code).toMatch(/^[A-Z_]+$/);
    }
  });

  it('rejects bad identifiers in paths with a code', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['GET', '/v1/revocations/not-a-uuid', 400, 'VALIDATION_FAILED'],
      ['GET', '/v1/revocations/6f1c7a1e-5b1e-4a41-9d39-2d9b8f0b1c11', 404, 'REVOCATION_NOT_FOUND'],
      ['GET', `/v1/devices/${'d'.repeat(200)}/history`, 400, 'VALIDATION_FAILED'],
      ['GET', '/v1/devices/no-such-device/history', 404, 'DEVICE_NOT_FOUND'],
      ['POST', '/v1/devices/no-such-device/sign-out', 404, 'DEVICE_NOT_FOUND'],
      ['POST', '/v1/devices/bad%20id/sign-out', 400, 'VALIDATION_FAILED'],
      ['POST', '/v1/playback/sessions/not-a-uuid/heartbeat', 404, 'PLAYBACK_NOT_FOUND'],
      ['GET', '/v1/nowhere', 404, 'ROUTE_NOT_FOUND'],
    ];
    for (const [method, path, status, code] of cases) {
      const response = await http(gateway, method, path, { token, body: method === 'POST' ? { positionMs: 1, state: 'playing' } : undefined });
      expect({ path, status: response.status, code: response.body?.error?.code }).toEqual({ path, status, code });
    }
  });

  it('refuses missing, malformed and foreign tokens with 401 and a code', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'TOKEN_MISSING'],
      [{ Authorization: 'Basic dXNlcjpwYXNz' }, 'TOKEN_INVALID'],
      [{ Authorization: 'Bearer not.a.jwt' }, 'TOKEN_INVALID'],
      [{ Authorization: `Bearer ${token.slice(0, -4)}AAAA` }, 'TOKEN_INVALID'],
      [{ Authorization: `Bearer ${'a'.repeat(5000)}` }, 'TOKEN_INVALID'],
    ];
    for (const [headers, code] of cases) {
      const response = await http(gateway, 'GET', '/v1/devices', { headers });
      expect({ headers, status: response.status, code: response.body?.error?.code }).toEqual({ headers, status: 401, code });
    }
  });

  it('validates sign-up and login fields', async () => {
    const signUps: Array<[unknown, number, string]> = [
      [{ email: 'not-an-email', password: 'long-enough-pw' }, 400, 'VALIDATION_FAILED'],
      [{ email: 'a@b.test', password: 'short' }, 400, 'VALIDATION_FAILED'],
      [{ email: 'a@b.test', password: 'long-enough-pw', plan: 'platinum' }, 400, 'VALIDATION_FAILED'],
      [{ email: 'a@b.test', password: 'p'.repeat(300) }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of signUps) {
      const response = await http(gateway, 'POST', '/v1/accounts', { body });
      expect({ body, status: response.status, code: response.body?.error?.code }).toEqual({ body, status, code });
    }
    const login = await http(gateway, 'POST', '/v1/auth/login', {
      body: { email: 'nobody@signoff.test', password: 'whatever-pw', device: { id: 'x', type: 'toaster', name: 'x' } },
    });
    expect(login.status).toBe(400);
    expect(login.body.error.code).toBe('VALIDATION_FAILED');
    // The address comes from the connection, never from the body.
    const spoofed = await http(gateway, 'POST', '/v1/auth/login', {
      body: { email: 'nobody@signoff.test', password: 'whatever-pw', device: { id: 'x', type: 'tv', name: 'x' }, ip: '1.2.3.4' },
    });
    expect(spoofed.status).toBe(400);
    expect(spoofed.body.error.message).toContain('ip');
    const unknown = await http(gateway, 'POST', '/v1/auth/login', {
      body: { email: 'nobody@signoff.test', password: 'whatever-pw', device: { id: 'x', type: 'tv', name: 'x' } },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a WebSocket upgrade without a valid token before the 101', async () => {
    for (const [headers, code] of [
      [{}, 'TOKEN_MISSING'],
      [{ Authorization: 'Bearer forged.token.here' }, 'TOKEN_INVALID'],
    ] as Array<[Record<string, string>, string]>) {
      const refusal = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const socket = new WebSocket(`${gateway.replace('http', 'ws')}/v1/connect`, { headers });
        socket.once('open', () => reject(new Error('the upgrade was accepted')));
        socket.once('error', () => undefined);
        socket.once('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
      });
      expect(refusal.status).toBe(401);
      expect(JSON.parse(refusal.body).error.code).toBe(code);
    }
  });
});
