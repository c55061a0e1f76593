import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ACCOUNT_PAGE } from '@signoff/contracts';
import { createValidationPipe, HttpExceptionFilter } from '@signoff/service-kit';
import cookieParser from 'cookie-parser';
import { Logger as PinoLogger } from 'nestjs-pino';
import { mountAccountPage } from './account-page/account-page.static';
import { GatewayModule } from './app.module';
import { GatewayConfig } from './config/gateway.config';
import { trustProxySetting } from './config/trusted-proxies';
import { GatewayDrain } from './device-channel/gateway-drain';
import { completeApiDocument, describeRouteHandlers, registeredControllers } from './infrastructure/api-description';
import { mountJsonBodyParsing } from './infrastructure/json-body';
import { hideOperationsPaths, startOperationsListener } from './infrastructure/operations-port';

/**
 * Creates and starts one gateway replica. `listen` resolves only after the revocation view
 * has been rebuilt from the SECURITY stream (see RevocationFeed), so the first request a fresh
 * replica answers already knows every recent revocation.
 */
export async function startGateway(config: GatewayConfig): Promise<INestApplication> {
  // Nest's own body parsers are off: they would add urlencoded (extended) forms (json-body.ts).
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), { bufferLogs: true, abortOnError: false, bodyParser: false });
  app.useLogger(app.get(PinoLogger));
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(config.TRUSTED_PROXIES));
  const separateOperations = config.OPS_HTTP_PORT >= 0;
  if (separateOperations) hideOperationsPaths(app);
  mountJsonBodyParsing(app, config.MAX_BODY_BYTES);
  // The account page's refresh cookie is scoped to the refresh route: parse cookies there only,
  // not on every API request (see RefreshCookieInterceptor).
  app.use(ACCOUNT_PAGE.refreshCookiePath, cookieParser());
  mountAccountPage(app, config.ACCOUNT_PAGE_DIR);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  drainOnSignals(app, config);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Signoff gateway').setVersion('v1').addBearerAuth().build(),
  );
  completeApiDocument(document, describeRouteHandlers(registeredControllers(app)));
  if (!separateOperations) SwaggerModule.setup('docs', app, document);
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  if (separateOperations) {
    const operations = await startOperationsListener(document, config.OPS_HTTP_PORT, config.HTTP_HOST);
    // One handle for callers (main.ts, tests): closing the gateway closes its operations port too.
    const closeGateway = app.close.bind(app);
    app.close = async () => {
      await closeGateway();
      await operations.close();
    };
  }
  return app;
}

/**
 * SIGTERM (an orchestrator's stop) drains the gateway (GatewayDrain) with the configured window;
 * SIGINT (Ctrl-C, no load balancer to wait for) drains at once. Then Nest's shutdown hooks, and
 * exit 0; 1 if anything failed or the whole took longer than SHUTDOWN_TIMEOUT_MS. Later signals
 * are ignored: a launcher may send SIGTERM after the terminal's SIGINT.
 */
function drainOnSignals(app: INestApplication, config: GatewayConfig): void {
  const logger = new Logger('GatewayShutdown');
  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const startedAt = Date.now();
    const deadline = startedAt + config.SHUTDOWN_TIMEOUT_MS;
    setTimeout(() => {
      logger.error(`${signal}: not stopped within ${config.SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    try {
      const windowMs = signal === 'SIGTERM' ? Math.min(config.DRAIN_WINDOW_MS, config.SHUTDOWN_TIMEOUT_MS / 2) : 0;
      await app.get(GatewayDrain).drain({ windowMs, deadline });
      await app.close();
      logger.log(`${signal}: stopped in ${Date.now() - startedAt} ms`);
      process.exit(0);
    } catch (error) {
      logger.error(`${signal}: shutdown failed: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));
}
