import { DynamicModule, Type } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ContractField, describeContractFields } from '@signoff/contracts';
import { loadConfig } from '@signoff/service-kit';
import { GatewayModule } from '../app.module';
import { GatewayConfig } from '../config/gateway.config';
import { completeApiDocument, describeRouteHandlers } from './api-description';

/** Every controller reachable from the gateway's root module, read from the module metadata (no app started). */
function controllersOf(root: DynamicModule): Type[] {
  const seen = new Set<unknown>();
  const controllers = new Set<Type>();
  const visit = (entry: unknown): void => {
    if (!entry || seen.has(entry)) return;
    seen.add(entry);
    const dynamic = typeof entry === 'object' ? (entry as DynamicModule) : undefined;
    const cls = (dynamic ? dynamic.module : entry) as Type;
    const declared = [...((Reflect.getMetadata('controllers', cls) as Type[] | undefined) ?? []), ...(dynamic?.controllers ?? [])];
    for (const controller of declared) controllers.add(controller);
    for (const imported of [...((Reflect.getMetadata('imports', cls) as unknown[] | undefined) ?? []), ...(dynamic?.imports ?? [])]) visit(imported);
  };
  visit(root);
  return [...controllers];
}

function flatten(fields: ContractField[], parent = ''): Array<ContractField & { path: string }> {
  return fields.flatMap((f) => [{ ...f, path: parent ? `${parent}.${f.name}` : f.name }, ...(f.nested ? flatten(f.nested, parent ? `${parent}.${f.name}` : f.name) : [])]);
}

describe('the gateway’s API description', () => {
  const config = loadConfig(GatewayConfig, { LOG_LEVEL: 'silent' });
  const routes = describeRouteHandlers(controllersOf(GatewayModule.forRoot(config)));
  const withBodies = routes.filter((r) => r.body);

  it('finds every route handler with its body class and whether it is public', () => {
    const login = routes.find((r) => r.operationId === 'AuthHttpController_login');
    expect(login).toMatchObject({ public: true, body: expect.any(Function) });
    expect(routes.find((r) => r.operationId === 'DevicesHttpController_list')).toMatchObject({ public: false });
    expect(routes.find((r) => r.operationId === 'DevicesHttpController_list')).not.toHaveProperty('body');
    expect(routes.find((r) => r.operationId === 'HealthController_ready')).toBeDefined();
    expect(routes.length).toBeGreaterThan(30);
    expect(withBodies.length).toBeGreaterThan(12);
  });

  // Optional means absent: a body field that let null pass as missing would reach `?? default`
  // and the RPC contracts with null (docs/security.md, "Hostile input").
  it.each(withBodies.map((r) => [r.operationId, r.body!] as const))('%s: its body refuses null for optional fields', (_id, body) => {
    const fields = flatten(describeContractFields(body));
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.filter((f) => f.nullPassesAsAbsent).map((f) => f.path)).toEqual([]);
  });

  it('fills each body schema and each operation’s security into the document', () => {
    const login = routes.find((r) => r.operationId === 'AuthHttpController_login')!;
    const list = routes.find((r) => r.operationId === 'DevicesHttpController_list')!;
    const document = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/v1/auth/login': { post: { operationId: login.operationId, responses: {}, requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/LoginBody' } } } } } },
        '/v1/devices': { get: { operationId: list.operationId, responses: {} } },
      },
      components: { schemas: { LoginBody: { type: 'object', properties: {} } } },
    } as unknown as OpenAPIObject;
    completeApiDocument(document, routes);
    expect(document.components!.schemas!['LoginBody']).toEqual({
      type: 'object',
      properties: {
        email: {},
        password: {},
        device: {
          type: 'object',
          properties: { id: {}, type: {}, name: {}, os: {}, appVersion: {} },
          required: ['id', 'type', 'name'],
          additionalProperties: false,
        },
        otpCode: {},
        sessionLifetimeSeconds: {},
      },
      required: ['email', 'password', 'device'],
      additionalProperties: false,
    });
    expect(document.paths['/v1/auth/login']!.post!.security).toEqual([]);
    expect(document.paths['/v1/devices']!.get!.security).toEqual([{ bearer: [] }]);
  });
});
