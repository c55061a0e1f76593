/**
 * The Postgres, Redis and NATS a test talks to. Where a Docker engine answers, testcontainers
 * starts fresh ones for this process; otherwise the servers named by `DATABASE_URL`,
 * `REDIS_URL` and `NATS_URL` are used, defaulting to the ones running on this machine.
 * Either way every test isolates itself (own database, key prefix, namespace), so runs and
 * workers never see each other's data.
 */
export interface TestServers {
  /** A database the tests may connect to in order to create and drop databases. */
  adminDatabaseUrl: string;
  redisUrl: string;
  natsUrl: string;
  source: 'testcontainers' | 'environment';
}

let resolved: Promise<TestServers> | undefined;

export function testServers(): Promise<TestServers> {
  resolved ??= resolveServers();
  return resolved;
}

async function resolveServers(): Promise<TestServers> {
  if (process.env.SIGNOFF_TEST_CONTAINERS !== 'off' && (await dockerAnswers())) {
    return startContainers();
  }
  return {
    adminDatabaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    source: 'environment',
  };
}

async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        getContainerRuntimeClient(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), 3_000))),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<TestServers> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const [pg, redis, nats] = await Promise.all([
    new PostgreSqlContainer('postgres:15-alpine').withUsername('postgres').withPassword('postgres').withDatabase('postgres').start(),
    new RedisContainer('redis:7-alpine').start(),
    new GenericContainer('nats:2.10-alpine').withCommand(['-js']).withExposedPorts(4222).withWaitStrategy(Wait.forLogMessage(/Server is ready/)).start(),
  ]);
  return {
    adminDatabaseUrl: pg.getConnectionUri(),
    redisUrl: redis.getConnectionUrl(),
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    source: 'testcontainers',
  };
}
