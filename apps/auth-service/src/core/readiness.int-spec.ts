import { INestApplication } from '@nestjs/common';
import { listeningPort, startRpcService } from '@signoff/service-kit';
import { ChildServer, expectEventually, startNatsServer, TestDatabase, uniqueNamespace } from '@signoff/testing';
import { AuthServiceModule } from '../app.module';
import { createAuthTestDatabase, dropWhenIdle, testAuthConfig } from '../testing/auth-test-harness';

/** `/health/ready` follows the broker: ready while NATS answers (events and requests), not ready while it is gone. */
describe('auth-service readiness', () => {
  let db: TestDatabase;
  let broker: ChildServer;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    ({ db } = await createAuthTestDatabase());
    broker = await startNatsServer();
    const config = testAuthConfig({ databaseUrl: db.url, natsUrl: broker.url, namespace: uniqueNamespace() });
    app = await startRpcService(AuthServiceModule.forRoot(config), {
      serviceName: 'auth-service',
      queue: 'auth-service',
      natsUrl: broker.url,
      namespace: config.NATS_NAMESPACE,
      httpHost: config.HTTP_HOST,
      httpPort: config.HTTP_PORT,
    });
  });

  afterAll(async () => {
    await app?.close();
    await broker?.dispose();
    if (db) await dropWhenIdle(db);
  });

  async function readiness(): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`http://127.0.0.1:${listeningPort(app as INestApplication)}/health/ready`);
    return { status: response.status, body: await response.json() };
  }

  it('is ready with Postgres and NATS up, and not ready once the broker is gone', async () => {
    expect(await readiness()).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: true, nats: true, requests: true } } });
    await broker.kill();
    await expectEventually(async () => {
      expect(await readiness()).toEqual({ status: 503, body: { status: 'not_ready', checks: { postgres: true, nats: false, requests: false } } });
    });
  });
});
