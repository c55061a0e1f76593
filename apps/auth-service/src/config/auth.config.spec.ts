import { loadConfig } from '@signoff/service-kit';
import { AuthConfig } from './auth.config';

describe('AuthConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(AuthConfig, {});
    expect(config).toMatchObject({ HTTP_PORT: 3101, OUTBOX_POLL_MS: 500, ARGON2_MEMORY_KIB: 19_456, ARGON2_TIME_COST: 2, ARGON2_PARALLELISM: 1 });
  });

  it('keeps published outbox rows a day by default, and accepts exactly the revocation retention (10 min + 30 s + 60 s)', () => {
    expect(loadConfig(AuthConfig, {}).OUTBOX_RETENTION_SECONDS).toBe(86_400);
    expect(loadConfig(AuthConfig, { OUTBOX_RETENTION_SECONDS: '690' }).OUTBOX_RETENTION_SECONDS).toBe(690);
  });

  it('reads numbers from environment strings', () => {
    const config = loadConfig(AuthConfig, { HTTP_PORT: '0', OUTBOX_POLL_MS: '50', ARGON2_MEMORY_KIB: '65536' });
    expect(config).toMatchObject({ HTTP_PORT: 0, OUTBOX_POLL_MS: 50, ARGON2_MEMORY_KIB: 65_536 });
  });

  it.each([
    ['argon2 memory below 19 MiB', { ARGON2_MEMORY_KIB: '1024' }, 'ARGON2_MEMORY_KIB'],
    ['argon2 time cost below 2', { ARGON2_TIME_COST: '1' }, 'ARGON2_TIME_COST'],
    ['a port out of range', { HTTP_PORT: '70000' }, 'HTTP_PORT'],
    ['an outbox retention shorter than the revocation retention', { OUTBOX_RETENTION_SECONDS: '689' }, 'OUTBOX_RETENTION_SECONDS'],
    ['an outbox retention shorter than a longer token lifetime needs', { ACCESS_TOKEN_TTL_SECONDS: '3600', OUTBOX_RETENTION_SECONDS: '3600' }, 'OUTBOX_RETENTION_SECONDS'],
  ])('refuses %s', (_name, env, field) => {
    expect(() => loadConfig(AuthConfig, env)).toThrow(field);
  });
});
