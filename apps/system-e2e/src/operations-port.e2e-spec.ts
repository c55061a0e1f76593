import { freePort } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

/**
 * With `OPS_HTTP_PORT` set (the Kubernetes manifest sets it), the API description and the metrics
 * are served on the operations port only: the public port, the one a load balancer publishes,
 * answers 404 for them as for any unknown route, and still serves the API and the health checks.
 */
describe('the gateway with an operations port', () => {
  let stack: TestStack;
  let operations: string;

  beforeAll(async () => {
    const port = await freePort();
    operations = `http://127.0.0.1:${port}`;
    stack = await TestStack.start({ gateways: 1, gatewayEnv: () => [{ OPS_HTTP_PORT: String(port) }] });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('serves /docs, /docs-json and /metrics on the operations port and not on the public one', async () => {
    for (const path of ['/docs', '/docs-json', '/metrics', '/metrics/', '/docs/swagger-ui.css']) {
      const hidden = await http(stack.gateway(0), 'GET', path);
      expect({ path, status: hidden.status, code: hidden.body?.error?.code }).toEqual({ path, status: 404, code: 'ROUTE_NOT_FOUND' });
    }
    const metrics = await fetch(`${operations}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^process_cpu_user_seconds_total /m);
    const description = await fetch(`${operations}/docs-json`);
    expect(description.status).toBe(200);
    expect(Object.keys(((await description.json()) as { paths: Record<string, unknown> }).paths)).toContain('/v1/auth/login');
    expect((await fetch(`${operations}/docs`)).status).toBe(200);

    // The public port still does its job.
    expect((await http(stack.gateway(0), 'GET', '/health/ready')).status).toBe(200);
    const holder = await stack.signUp();
    expect(holder.accountId).toEqual(expect.any(String));
  });
});
