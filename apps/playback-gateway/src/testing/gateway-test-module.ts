import { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EventMap, Principal, SignoffError } from '@signoff/contracts';
import { EventPublisher, StreamWatch } from '@signoff/messaging';
import { loadConfig } from '@signoff/service-kit';
import { cleanupNamespace, testServers, uniqueNamespace } from '@signoff/testing';
import { randomUUID } from 'node:crypto';
import { GatewayConfig } from '../config/gateway.config';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { AuthRecordStandIn } from './auth-record-stand-in';

/**
 * Part of a gateway (infrastructure plus the feature modules under test) on the real NATS and
 * Redis, under a namespace and key prefix of its own. No HTTP server: specs call services.
 */
export class GatewayTestModule {
  private constructor(
    readonly app: INestApplication,
    readonly config: GatewayConfig,
    private readonly natsUrl: string,
    private readonly redisUrl: string,
    /** Stands in for auth-service's record of recent revocations (the stream of a spec is young). */
    readonly authRecord: AuthRecordStandIn,
  ) {}

  static async start(imports: NonNullable<ModuleMetadata['imports']>, beforeInit?: (publisher: GatewayTestModule) => Promise<void>): Promise<GatewayTestModule> {
    const servers = await testServers();
    const namespace = uniqueNamespace();
    const config = loadConfig(GatewayConfig, {
      NATS_URL: servers.natsUrl,
      REDIS_URL: servers.redisUrl,
      NATS_NAMESPACE: namespace,
      REDIS_KEY_PREFIX: `${namespace}:`,
      LOG_LEVEL: 'silent',
      HTTP_PORT: '0',
    });
    const authRecord = await AuthRecordStandIn.start(servers.natsUrl, namespace);
    const moduleRef = await Test.createTestingModule({ imports: [InfrastructureModule.forRoot(config), ...imports] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    const harness = new GatewayTestModule(app, config, servers.natsUrl, servers.redisUrl, authRecord);
    if (beforeInit) {
      // The platform creates the streams at bootstrap; what is published before needs them now.
      await app.get(StreamWatch).checkNow();
      await beforeInit(harness);
    }
    await app.init();
    return harness;
  }

  get<T>(token: new (...args: never[]) => T): T {
    return this.app.get(token);
  }

  publish<K extends keyof EventMap>(subject: K, payload: Omit<EventMap[K], 'eventId' | 'occurredAt'>): Promise<unknown> {
    return this.app.get(EventPublisher).publish(subject, { eventId: randomUUID(), occurredAt: new Date().toISOString(), ...payload } as EventMap[K]);
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.authRecord.stop();
    await cleanupNamespace({
      natsUrl: this.natsUrl,
      namespace: this.config.NATS_NAMESPACE,
      redisUrl: this.redisUrl,
      redisPrefix: this.config.REDIS_KEY_PREFIX,
    });
  }
}

export function principal(over: Partial<Principal> = {}): Principal {
  return {
    accountId: randomUUID(),
    sessionId: randomUUID(),
    deviceId: `device-${randomUUID().slice(0, 8)}`,
    kids: false,
    plan: 'standard',
    epoch: 1,
    expiresAt: Math.floor(Date.now() / 1000) + 600,
    ...over,
  };
}

/** The error code a call was refused with; fails when it was not refused, or not with a SignoffError. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SignoffError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}
