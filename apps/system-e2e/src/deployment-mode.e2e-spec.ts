import { ServiceProcess } from '@signoff/stack';
import { expectEventually, testServers, uniqueNamespace } from '@signoff/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './support/test-stack';

/**
 * A real deployment never runs on development values: auth-service, started as a process the way
 * a container starts it, without `SIGNOFF_ENV=development` and without its keys, refuses to start
 * and names every missing setting, instead of encrypting with public keys and mailing links to a
 * local address.
 */
describe('auth-service outside development', () => {
  it('refuses to start without its keys, its mail server and its public address', async () => {
    const servers = await testServers();
    const namespace = uniqueNamespace();
    const logDir = join(WORKSPACE_ROOT, 'tmp', 'e2e-logs', namespace);
    const auth = new ServiceProcess({
      name: 'auth-service',
      entry: 'apps/auth-service/src/main.ts',
      // Empty values count as unset, so whatever this shell exports cannot make the run lenient.
      env: { NATS_URL: servers.natsUrl, NATS_NAMESPACE: namespace, HTTP_PORT: '0', SIGNOFF_ENV: '', TOTP_SECRET_KEY: '', SIGNING_KEY_ENCRYPTION_KEY: '', SMTP_URL: '', PUBLIC_BASE_URL: '' },
      workspaceRoot: WORKSPACE_ROOT,
      output: { logDir },
    });
    await auth.start();
    expect(await auth.exited()).toBe(1);
    await expectEventually(() => {
      const log = readFileSync(join(logDir, 'auth-service.log'), 'utf8');
      for (const setting of ['TOTP_SECRET_KEY', 'SIGNING_KEY_ENCRYPTION_KEY', 'SMTP_URL', 'PUBLIC_BASE_URL']) expect(log).toContain(`${setting} must be set`);
    });
  }, 60_000);
});
