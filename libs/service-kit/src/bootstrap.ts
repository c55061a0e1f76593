import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestMicroservice } from '@nestjs/microservices';
import { NamespacedNatsServer, NatsNamespace, natsTransportOptions } from '@signoff/messaging';
import { Logger as PinoLogger } from 'nestjs-pino';
import { Readiness } from './health/readiness';
import { ContractPayloadPipe } from './rpc/contract-payload.pipe';
import { RpcExceptionFilter } from './rpc/rpc-exception.filter';
import { HttpExceptionFilter } from './http/http-exception.filter';

export interface RpcServiceOptions {
  serviceName: string;
  natsUrl: string;
  namespace: string;
  /** Replicas of one service share a queue group so each request is answered once. */
  queue: string;
  httpHost: string;
  /** Port for `/health/*` and `/metrics`; 0 picks a free one (tests). */
  httpPort: number;
}

/**
 * Starts a NATS request/reply service (auth-service, device-registry): handlers join a queue
 * group under the run's namespace, payloads are validated against their contracts, failures
 * leave as coded errors, and a small HTTP listener answers health and metrics.
 */
export async function startRpcService(module: DynamicModule, options: RpcServiceOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(PinoLogger));
  app.useGlobalFilters(new HttpExceptionFilter());
  // Only the signals that mean "stop": Nest's default list includes SIGUSR2 and others.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const listener = new NamespacedNatsServer(
    { ...natsTransportOptions(options.natsUrl, options.serviceName), queue: options.queue },
    new NatsNamespace(options.namespace),
  );
  // The request listener has a connection of its own: without it the service answers nothing.
  app.get(Readiness).register({ name: 'requests', check: () => listener.listening });
  const microservice = app.connectMicroservice(
    { strategy: listener },
    // Deferred, so the pipe and filter below are installed before the microservice initialises
    // (Nest ignores global enhancers registered after initialisation).
    { inheritAppConfig: false, deferInitialization: true },
  );
  microservice.useGlobalPipes(new ContractPayloadPipe());
  microservice.useGlobalFilters(new RpcExceptionFilter());
  // A deferred microservice would run the modules' init hooks a second time when it starts:
  // the app runs them once (connections, relays, consumers), then handlers subscribe.
  (microservice as unknown as NestMicroservice).setIsInitHookCalled(true);
  await app.init();
  await app.startAllMicroservices();
  await app.listen(options.httpPort, options.httpHost);
  return app;
}

/** The port a started app listens on (after `listen(0)`). */
export function listeningPort(app: INestApplication): number {
  const address = app.getHttpServer().address() as { port: number } | string | null;
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
  return address.port;
}
