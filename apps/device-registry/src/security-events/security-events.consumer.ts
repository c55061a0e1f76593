import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Stream, StreamDefinition } from '@signoff/contracts';
import { BatchOptions, DurableEventConsumer, InboundEvent, NatsNamespace, StreamWatch } from '@signoff/messaging';
import { Readiness } from '@signoff/service-kit';
import { NatsConnection } from 'nats';
import { RegistryConfig } from '../config/registry.config';
import { NATS_CONNECTION } from '@signoff/platform';
import { SecurityEventsHandler } from './security-events.handler';

/** Durable consumer names: replicas of the registry share each one, and so share the work. */
export const REGISTRY_CONSUMERS: ReadonlyArray<{ stream: StreamDefinition; durableName: string }> = [
  { stream: Stream.security, durableName: 'device-registry' },
  { stream: Stream.progress, durableName: 'device-registry-progress' },
];

/**
 * Events are applied in batches, one transaction each: what arrived while the previous batch was
 * being applied, and whatever more comes within a couple of milliseconds. Under a burst (every
 * revocation brings a cut and an acknowledgement per device) that is a few transactions instead
 * of thousands competing with the revocations themselves; a lone event waits only those
 * milliseconds. This is bookkeeping: no one waits on it to be cut off.
 */
export const REGISTRY_BATCH: BatchOptions = { maxMessages: 256, maxWaitMs: 2 };

/**
 * Consumes the SECURITY stream (sign-ins, revocations) and the PROGRESS stream (what gateways
 * did about them) from the registry's durable consumers. Starts with the app; if JetStream is
 * not there yet it keeps trying, and readiness stays false until both consumers run. A stream
 * that was recreated (its data lost) takes its consumers along: when the stream watch sees that,
 * or finds a consumer gone, the consumers are made again (and read the new stream from its
 * start; events applied before are recognised by id and not applied twice).
 */
@Injectable()
export class SecurityEventsConsumer implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SecurityEventsConsumer.name);
  private consumers: DurableEventConsumer[] = [];
  private started = false;
  private stopping = false;
  private recreating = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly namespace: NatsNamespace,
    private readonly config: RegistryConfig,
    private readonly readiness: Readiness,
    private readonly handler: SecurityEventsHandler,
    private readonly watch: StreamWatch,
  ) {}

  get isStarted(): boolean {
    return this.started;
  }

  onModuleInit(): void {
    this.readiness.register({ name: 'consumers', check: () => this.started });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.watch.onReset((reset) => {
      if (REGISTRY_CONSUMERS.some((c) => c.stream.name === reset.definition.name)) void this.recreate(`stream ${reset.name} was recreated`);
    });
    this.watch.onInfo(async (info) => {
      if (!this.started || this.recreating || !REGISTRY_CONSUMERS.some((c) => this.namespace.streamName(c.stream) === info.config.name)) return;
      for (const consumer of this.consumers) {
        if (!(await consumer.exists())) return this.recreate(`consumer ${consumer.name} is gone`);
      }
    });
    await this.startOrRetry(1);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.started = false;
    clearTimeout(this.retryTimer);
    await this.stopConsumers();
  }

  /** Stops the consumers and starts them again (readiness is false meanwhile). */
  private async recreate(why: string): Promise<void> {
    if (this.recreating || this.stopping) return;
    this.recreating = true;
    this.logger.warn(`recreating the event consumers: ${why}`);
    this.started = false;
    clearTimeout(this.retryTimer);
    try {
      await this.stopConsumers();
      await this.startOrRetry(1);
    } finally {
      this.recreating = false;
    }
  }

  private async startOrRetry(attempt: number): Promise<void> {
    if (this.stopping) return;
    try {
      await this.start();
    } catch (error) {
      await this.stopConsumers();
      if (this.stopping) return;
      const delay = Math.min(attempt * 500, 5_000);
      this.logger.warn(`event consumers not started (attempt ${attempt}), retrying in ${delay} ms: ${(error as Error).message}`);
      this.retryTimer = setTimeout(() => void this.startOrRetry(attempt + 1), delay);
    }
  }

  private async start(): Promise<void> {
    await this.watch.start();
    const handle = async (events: InboundEvent[]): Promise<void> => {
      await this.handler.handleBatch(events);
    };
    for (const { stream, durableName } of REGISTRY_CONSUMERS) {
      const options = { stream, durableName, ackWaitMs: this.config.EVENT_ACK_WAIT_MS, batch: REGISTRY_BATCH };
      const consumer = new DurableEventConsumer(this.nc, this.namespace, options, handle);
      await consumer.start();
      this.consumers.push(consumer);
      if (this.stopping) return;
    }
    this.started = true;
    this.logger.log(`consuming ${REGISTRY_CONSUMERS.map((c) => `${this.namespace.streamName(c.stream)}/${c.durableName}`).join(', ')}`);
  }

  private async stopConsumers(): Promise<void> {
    const consumers = this.consumers;
    this.consumers = [];
    await Promise.all(consumers.map((c) => c.stop()));
  }
}
