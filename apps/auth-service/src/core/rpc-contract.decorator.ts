import { applyDecorators, UseFilters, UsePipes } from '@nestjs/common';
import { ContractPayloadPipe, RpcExceptionFilter } from '@signoff/service-kit';

/**
 * Validates every payload against its contract class and sends failures as coded wire errors.
 *
 * `startRpcService` installs the same pipe and filter globally, but on a hybrid app Nest binds
 * a handler's pipes and filters when `connectMicroservice` registers it, which is before
 * `useGlobalPipes`/`useGlobalFilters` are called: the global ones never apply (payloads went
 * unvalidated and every error left as "Internal server error"). Bound per controller they do.
 * Harmless once the library is fixed: the pipe is idempotent and the inner filter wins.
 */
export function RpcContract(): ClassDecorator {
  return applyDecorators(UsePipes(new ContractPayloadPipe()), UseFilters(new RpcExceptionFilter()));
}
