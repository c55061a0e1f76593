import { applyDecorators, UseFilters, UsePipes } from '@nestjs/common';
import { ContractPayloadPipe, RpcExceptionFilter } from '@signoff/service-kit';

/**
 * Validates every payload against its contract class and answers failures as coded wire
 * errors, on the controller itself. `startRpcService` registers the same pipe and filter as
 * microservice globals, but after `connectMicroservice` has initialised the microservice, so
 * Nest ignores them (it logs "Global pipes registered after initialization will not be
 * applied"). Harmless to keep once the library registers them in time.
 */
export const RpcEdge = (): ClassDecorator => applyDecorators(UsePipes(new ContractPayloadPipe()), UseFilters(new RpcExceptionFilter()));
