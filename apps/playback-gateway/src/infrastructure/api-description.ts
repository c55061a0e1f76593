import { INestApplication, Type } from '@nestjs/common';
import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ContractField, describeContractFields } from '@signoff/contracts';
import { IS_PUBLIC } from '@signoff/service-kit';

/** One route handler of a controller, as Nest's metadata declares it. */
export interface RouteHandler {
  controller: Type;
  handler: string;
  /** Swagger's default operation id: `<Controller>_<handler>`. */
  operationId: string;
  /** Answered without an access token (`@Public()`). */
  public: boolean;
  /** The class of the `@Body()` parameter, when the handler reads a body. */
  body?: Type;
}

/** Every controller the running app registered (from Nest's module container, not a list kept by hand). */
export function registeredControllers(app: INestApplication): Type[] {
  const controllers = new Set<Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) if (wrapper.metatype) controllers.add(wrapper.metatype as Type);
  }
  return [...controllers];
}

/** The route handlers of the controllers given. */
export function describeRouteHandlers(controllers: Type[]): RouteHandler[] {
  return controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor' && Reflect.getMetadata(METHOD_METADATA, controller.prototype[name]) !== undefined)
      .map((handler) => {
        const method = controller.prototype[handler] as object;
        const route: RouteHandler = {
          controller,
          handler,
          operationId: `${controller.name}_${handler}`,
          public: Boolean(Reflect.getMetadata(IS_PUBLIC, method) ?? Reflect.getMetadata(IS_PUBLIC, controller)),
        };
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<string, { index: number }>;
        // Keys are `<paramtype>:<index>` (custom decorators have a longer prefix).
        const bodyArg = Object.entries(args).find(([key]) => key.split(':')[0] === String(RouteParamtypes.BODY));
        const parameterTypes = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler) ?? []) as Type[];
        if (bodyArg) route.body = parameterTypes[bodyArg[1].index];
        return route;
      }),
  );
}

/**
 * Completes what `SwaggerModule.createDocument` leaves out (the DTOs carry no `@ApiProperty`):
 * each body's fields, from the same class-validator metadata that validates them, nested
 * contracts included, with the required ones listed and unknown ones refused; and each
 * operation's security (none for `@Public()` routes, the bearer token otherwise). `/docs-json`
 * then lists every route with its fields, which the hostile-input e2e walks.
 */
export function completeApiDocument(document: OpenAPIObject, routes: RouteHandler[]): void {
  type Operation = { operationId?: string; security?: Array<Record<string, string[]>>; requestBody?: unknown };
  const operations = new Map<string, Operation>();
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Operation[]) {
      if (typeof operation === 'object' && operation?.operationId) operations.set(operation.operationId, operation);
    }
  }
  const schemas = (document.components ??= {}).schemas ??= {};
  for (const route of routes) {
    const operation = operations.get(route.operationId);
    if (!operation) continue;
    operation.security = route.public ? [] : [{ bearer: [] }];
    const ref = (operation.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined)?.content?.['application/json']?.schema?.$ref;
    if (route.body && ref) schemas[ref.replace('#/components/schemas/', '')] = objectSchema(describeContractFields(route.body));
  }
}

function objectSchema(fields: ContractField[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const field of fields) properties[field.name] = field.nested ? objectSchema(field.nested) : {};
  const required = fields.filter((f) => f.required).map((f) => f.name);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}
