import { INestApplication } from '@nestjs/common';
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

/**
 * Creates and starts one gateway replica. `listen` resolves only after the revocation view
 * has been rebuilt from the SECURITY stream (see RevocationFeed), so the first request a fresh
 * replica answers already knows every recent revocation.
 */
export async function startGateway(config: GatewayConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(PinoLogger));
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(config.TRUSTED_PROXIES));
  app.useBodyParser('json', { limit: config.MAX_BODY_BYTES, strict: true });
  // The account page's refresh cookie is scoped to the refresh route: parse cookies there only,
  // not on every API request (see RefreshCookieInterceptor).
  app.use(ACCOUNT_PAGE.refreshCookiePath, cookieParser());
  mountAccountPage(app, config.ACCOUNT_PAGE_DIR);
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  // Only the signals that mean "stop": Nest's default list includes SIGUSR2 and others.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Signoff gateway').setVersion('v1').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, document);
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  return app;
}
