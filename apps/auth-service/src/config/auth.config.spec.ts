import { loadConfig } from '@signoff/service-kit';
import { AuthConfig } from './auth.config';

const DEV = { SIGNOFF_ENV: 'development' };
const KEY = 'a'.repeat(64);

describe('AuthConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(AuthConfig, DEV);
    expect(config).toMatchObject({ HTTP_PORT: 3101, OUTBOX_POLL_MS: 500, ARGON2_MEMORY_KIB: 19_456, ARGON2_TIME_COST: 2, ARGON2_PARALLELISM: 1 });
  });

  it('keeps published outbox rows a day by default, and accepts exactly the revocation retention (10 min + 30 s + 60 s)', () => {
    expect(loadConfig(AuthConfig, DEV).OUTBOX_RETENTION_SECONDS).toBe(86_400);
    expect(loadConfig(AuthConfig, { ...DEV, OUTBOX_RETENTION_SECONDS: '690' }).OUTBOX_RETENTION_SECONDS).toBe(690);
  });

  it('reads numbers from environment strings', () => {
    const config = loadConfig(AuthConfig, { ...DEV, HTTP_PORT: '0', OUTBOX_POLL_MS: '50', ARGON2_MEMORY_KIB: '65536' });
    expect(config).toMatchObject({ HTTP_PORT: 0, OUTBOX_POLL_MS: 50, ARGON2_MEMORY_KIB: 65_536 });
  });

  it.each([
    ['argon2 memory below 19 MiB', { ARGON2_MEMORY_KIB: '1024' }, 'ARGON2_MEMORY_KIB'],
    ['argon2 time cost below 2', { ARGON2_TIME_COST: '1' }, 'ARGON2_TIME_COST'],
    ['a port out of range', { HTTP_PORT: '70000' }, 'HTTP_PORT'],
    ['an outbox retention shorter than the revocation retention', { OUTBOX_RETENTION_SECONDS: '689' }, 'OUTBOX_RETENTION_SECONDS'],
    ['a key setting that is not 32 bytes', { TOTP_SECRET_KEY: 'abc' }, 'TOTP_SECRET_KEY'],
    ['a public base URL that is not http(s)', { PUBLIC_BASE_URL: 'javascript:alert(1)' }, 'PUBLIC_BASE_URL'],
    ['an outbox retention shorter than a longer token lifetime needs', { ACCESS_TOKEN_TTL_SECONDS: '3600', OUTBOX_RETENTION_SECONDS: '3600' }, 'OUTBOX_RETENTION_SECONDS'],
  ])('refuses %s', (_name, env, field) => {
    expect(() => loadConfig(AuthConfig, { ...DEV, ...env })).toThrow(field);
  });

  it('refuses to start a real deployment on development values: every key, the mail server and the public address must be set', () => {
    const refusal = (() => {
      try {
        loadConfig(AuthConfig, {});
      } catch (error) {
        return (error as Error).message;
      }
      return 'started';
    })();
    for (const setting of ['TOTP_SECRET_KEY', 'SIGNING_KEY_ENCRYPTION_KEY', 'SMTP_URL', 'PUBLIC_BASE_URL']) expect(refusal).toContain(`${setting} must be set`);
    const production = { TOTP_SECRET_KEY: KEY, SIGNING_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), SMTP_URL: 'smtp://mail:25', PUBLIC_BASE_URL: 'https://signoff.example/' };
    const config = loadConfig(AuthConfig, production);
    expect(config).toMatchObject({ SIGNOFF_ENV: 'production', mailLinkBase: 'https://signoff.example' });
    expect(loadConfig(AuthConfig, DEV).mailLinkBase).toBe('http://127.0.0.1:8080');
  });
});
