import { Controller, Get, Header, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '@signoff/contracts';
import type { Request, Response } from 'express';
import { register } from 'prom-client';

/** What only operators reach when `OPS_HTTP_PORT` is set: the API description and the metrics. */
export const OPERATIONS_PATHS = ['/docs', '/docs-json', '/metrics'] as const;

@Controller()
class OperationsMetricsController {
  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}

@Module({ controllers: [OperationsMetricsController] })
class OperationsModule {}

/**
 * A second listener for operators, kept off the public port (a load balancer publishes the
 * gateway's HTTP port to the world; the API description and the metrics are not for it). It
 * shares the process, so its `/metrics` are the gateway's.
 */
export async function startOperationsListener(document: OpenAPIObject, port: number, host: string): Promise<INestApplication> {
  const ops = await NestFactory.create<NestExpressApplication>(OperationsModule, { logger: false, bodyParser: false });
  ops.disable('x-powered-by');
  SwaggerModule.setup('docs', ops, document);
  await ops.listen(port, host);
  return ops;
}

/** On the public port: the operations paths (and what is under them) answer 404 as any unknown route does. */
export function hideOperationsPaths(app: NestExpressApplication): void {
  const code: ErrorCode = 'ROUTE_NOT_FOUND';
  // Mounted at those paths only: other requests never run this.
  app.use([...OPERATIONS_PATHS], (request: Request, response: Response) => {
    response.status(ERROR_STATUS[code]).json({ error: { code, message: `no route ${request.method} ${request.originalUrl.split('?')[0]}` } });
  });
}
