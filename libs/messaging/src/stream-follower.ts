import { Logger } from '@nestjs/common';
import { StreamDefinition } from '@signoff/contracts';
import { AckPolicy, ConsumerConfig, ConsumerEvents, ConsumerInfo, ConsumerMessages, DeliverPolicy, Events, JetStreamManager, JsMsg, nanos, NatsConnection, nuid, QueuedIterator, Status } from 'nats';
import { EventParking } from './event-parking';
import { decodeEvent, InboundEvent } from './inbound-event';
import { NatsNamespace } from './nats-namespace';

export interface StreamFollowerOptions {
  stream: StreamDefinition;
  /** Bare filter subject, e.g. `security.>` (one subject: arrays hang on server 2.9). */
  filterSubject: string;
  /** Names the consumer kind for parked messages (the same for every replica); prefix of the consumers' names. */
  consumerName: string;
  /** An abandoned follower's consumer is removed by the server after this long. */
  inactiveThresholdMs?: number;
}

/** Where a (re)opened follower starts: a point in time, or a stream sequence. */
export type FollowFrom = { time: Date } | { sequence: number };

/** Every JetStream API call is bounded: a consumer on a dead node never answers. */
const API_TIMEOUT_MS = 2_000;
/** Short pulls and heartbeats: a consumer that went silent is noticed in about 2 s, not 30-45 s. */
const PULL = { max_messages: 1_000, expires: 5_000, idle_heartbeat: 1_000 };
/** How often the follower asks whether its consumer still answers; `FAILED_CHECKS` failures in a row and it is recreated. */
const CHECK_INTERVAL_MS = 2_000;
const FAILED_CHECKS = 2;
const MAX_BACKOFF_MS = 2_000;
/** What the client tells about a consumer that is gone or unreachable. */
const LOST: ReadonlySet<string> = new Set([ConsumerEvents.HeartbeatsMissed, ConsumerEvents.ConsumerNotFound, ConsumerEvents.ConsumerDeleted, ConsumerEvents.NoResponders]);

interface Generation {
  id: number;
  consumerName: string;
  messages: ConsumerMessages;
  loop: Promise<void>;
}

/**
 * Follows a stream with an ephemeral consumer of its own (one per process: every replica sees
 * every message, in order). `caughtUp()` resolves once everything stored when it (re)opened has
 * been handled. `reopen` starts over from a time or a sequence: after the stream was recreated,
 * or when it stopped delivering while the stream grew. A message that cannot be read is parked
 * (see `EventParking`), never skipped without a trace.
 *
 * The consumer is R1 in memory, so it lives on one node of a cluster, and dies with it while the
 * stream lives on. The follower watches it (heartbeats, consumer status, a periodic info) and
 * recreates it from the last sequence handled + 1 under a fresh name (the server may have put the
 * old name on the dead node for good). Until the new one has caught up, `hasCaughtUp` is false.
 * (nats.js's ordered consumer noticed this after 30-45 s or never, and retried the same name.)
 */
export class StreamFollower {
  private readonly logger = new Logger(StreamFollower.name);
  private readonly parking: EventParking;
  private readonly streamName: string;
  private readonly jsm: Promise<JetStreamManager>;
  private current?: Generation;
  private generationId = 0;
  private lastSequence = 0;
  private isCaughtUp = false;
  private caughtUpSignal = signal();
  private watchdog?: { timer: NodeJS.Timeout; stopStatus: () => void };
  private failedChecks = 0;
  private checking = false;
  /** Creation time of the stream the current consumer reads: a stream recreated under it is another stream. */
  private streamCreated?: string;

  constructor(
    private readonly nc: NatsConnection,
    private readonly namespace: NatsNamespace,
    private readonly options: StreamFollowerOptions,
    private readonly handle: (event: InboundEvent) => void,
  ) {
    this.parking = new EventParking(nc, namespace, options.consumerName);
    this.streamName = namespace.streamName(options.stream);
    this.jsm = nc.jetstreamManager({ timeout: API_TIMEOUT_MS, checkAPI: false });
  }

  get hasCaughtUp(): boolean {
    return this.isCaughtUp;
  }

  /** Resolves once the current generation has handled everything stored when it opened. */
  caughtUp(): Promise<void> {
    return this.caughtUpSignal.promise;
  }

  /** Stream sequence of the last message handled (0 before the first). */
  get position(): number {
    return this.lastSequence;
  }

  start(from: FollowFrom): Promise<void> {
    return this.reopen(from);
  }

  /**
   * Drops the current consumer and follows again from `from`; not caught up until it is. Resolves
   * once the new consumer delivers (it keeps trying while JetStream does not answer), or when a
   * later `reopen`/`stop` took over.
   */
  async reopen(from: FollowFrom): Promise<void> {
    const id = ++this.generationId;
    this.isCaughtUp = false;
    const previousSignal = this.caughtUpSignal;
    this.caughtUpSignal = signal();
    // Whoever waited on the old generation now waits on this one.
    void this.caughtUpSignal.promise.then(previousSignal.resolve);
    this.watch();
    await this.close();
    if (id !== this.generationId) return;
    this.lastSequence = 'sequence' in from ? Math.max(0, from.sequence - 1) : 0;
    const created = await this.createConsumer(id, from);
    if (!created) return;
    const { consumerName, info, messages } = created;
    // Sequences before the start (not matching, or older than `from.time`) count as handled.
    this.lastSequence = Math.max(this.lastSequence, info.delivered.stream_seq);
    // When nothing is stored, no message ever says "pending 0".
    if (info.num_pending === 0) this.setCaughtUp(id);
    const loop = (async () => {
      let delivered = 0;
      for await (const message of messages) {
        if (id !== this.generationId) break;
        if (message.info.deliverySequence !== ++delivered) {
          this.recover(id, `delivery ${message.info.deliverySequence} where ${delivered} was next`);
          break;
        }
        // A recreated consumer starts where the last one stopped, but may overlap it.
        if (message.info.streamSequence > this.lastSequence) {
          this.lastSequence = message.info.streamSequence;
          await this.dispatch(message);
        }
        if (message.info.pending === 0) this.setCaughtUp(id);
      }
    })().catch((error: unknown) => this.logger.error(`follower loop ended: ${(error as Error).message}`));
    void (async () => {
      for await (const status of await messages.status()) {
        if (LOST.has(status.type)) return this.recover(id, `${status.type} ${String(status.data)}`);
      }
    })();
    this.current = { id, consumerName, messages, loop };
    this.failedChecks = 0;
  }

  /** Whether every message stored in the stream right now has been handled. */
  async syncedWithStream(): Promise<boolean> {
    const current = this.current;
    if (!current) return false;
    const jsm = await this.jsm;
    const { subjects } = this.options.stream;
    // The stream leader's last sequence: the consumer's own counts live on its node, whose replica may lag.
    if (subjects.length === 1 && subjects[0] === this.options.filterSubject) {
      const info = await jsm.streams.info(this.streamName);
      // A recreated stream's sequences say nothing about what this follower has read.
      return info.created === this.streamCreated && info.state.last_seq <= this.lastSequence;
    }
    const info = await jsm.consumers.info(this.streamName, current.consumerName);
    return info.num_pending === 0 && info.delivered.stream_seq <= this.lastSequence;
  }

  async stop(): Promise<void> {
    this.generationId++;
    if (this.watchdog) {
      clearInterval(this.watchdog.timer);
      this.watchdog.stopStatus();
      this.watchdog = undefined;
    }
    await this.close();
  }

  /**
   * A consumer under a fresh name per attempt: server 2.9 may place it on a node that just died,
   * and then every retry under that name goes there too. Gives up only for a later generation.
   */
  private async createConsumer(id: number, from: FollowFrom): Promise<{ consumerName: string; info: ConsumerInfo; messages: ConsumerMessages } | undefined> {
    const jsm = await this.jsm;
    for (let attempt = 0; id === this.generationId; attempt++) {
      const name = `${this.options.consumerName}_${nuid.next()}`;
      try {
        const info = await jsm.consumers.add(this.streamName, {
          name,
          filter_subject: this.namespace.subject(this.options.filterSubject),
          ack_policy: AckPolicy.None,
          mem_storage: true,
          num_replicas: 1,
          inactive_threshold: nanos(this.options.inactiveThresholdMs ?? 30_000),
          ...(await this.startOf(jsm, from)),
        });
        const consumer = await this.nc.jetstream({ timeout: API_TIMEOUT_MS }).consumers.get(this.streamName, name);
        if (id !== this.generationId) {
          this.deleteConsumer(name);
          return undefined;
        }
        return { consumerName: name, info, messages: await consumer.consume(PULL) };
      } catch (error) {
        this.logger.warn(`creating consumer ${name} on ${this.streamName} failed (${(error as Error).message}); trying again under a new name`);
        this.deleteConsumer(name);
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, MAX_BACKOFF_MS)));
      }
    }
    return undefined;
  }

  /**
   * Where the new consumer starts. Following on "from a sequence" is only right on the same
   * stream: one recreated meanwhile (its store lost) numbers its messages anew, and all of them are
   * news, so the follower reads it from its start.
   */
  private async startOf(jsm: JetStreamManager, from: FollowFrom): Promise<Partial<ConsumerConfig>> {
    const { created } = await jsm.streams.info(this.streamName);
    const replaced = this.streamCreated !== undefined && created !== this.streamCreated;
    this.streamCreated = created;
    if ('time' in from) return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.time.toISOString() };
    if (replaced) {
      this.logger.warn(`stream ${this.streamName} was recreated: following the new one from its start`);
      this.lastSequence = 0;
      return { deliver_policy: DeliverPolicy.All };
    }
    return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, from.sequence) };
  }

  /** Checks the consumer on every reconnect and every few seconds: the client's own heartbeat check stops after a reconnect while the consumer does not answer. */
  private watch(): void {
    if (this.watchdog) return;
    // The client's status iterator is a QueuedIterator (typed as a plain AsyncIterable): stop() unregisters it.
    const status = this.nc.status() as QueuedIterator<Status>;
    const timer = setInterval(() => void this.check(), CHECK_INTERVAL_MS);
    timer.unref();
    this.watchdog = { timer, stopStatus: () => status.stop() };
    void (async () => {
      for await (const event of status) if (event.type === Events.Reconnect) void this.check();
    })();
  }

  private async check(): Promise<void> {
    const current = this.current;
    if (!current || this.checking) return;
    this.checking = true;
    try {
      await (await this.jsm).consumers.info(this.streamName, current.consumerName);
      if (current === this.current) this.failedChecks = 0;
    } catch (error) {
      if (current === this.current && ++this.failedChecks >= FAILED_CHECKS) this.recover(current.id, `consumer info failed ${FAILED_CHECKS} times: ${(error as Error).message}`);
    } finally {
      this.checking = false;
    }
  }

  /** The consumer of generation `id` is gone or unreachable: a new one from where it stopped. */
  private recover(id: number, why: string): void {
    if (id !== this.generationId) return;
    this.logger.warn(`consumer of ${this.streamName} lost (${why}): following again from seq ${this.lastSequence + 1}`);
    this.reopen({ sequence: this.lastSequence + 1 }).catch((error: unknown) => this.logger.error(`reopening the follower failed: ${(error as Error).message}`));
  }

  private async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    current.messages.stop();
    this.deleteConsumer(current.consumerName);
    await current.loop;
  }

  /** Best effort: `inactive_threshold` removes whatever this misses. */
  private deleteConsumer(name: string): void {
    void this.jsm.then((jsm) => jsm.consumers.delete(this.streamName, name)).catch(() => undefined);
  }

  private async dispatch(message: JsMsg): Promise<void> {
    let event: InboundEvent;
    try {
      event = decodeEvent(message, this.namespace);
    } catch (error) {
      return this.park(message, `unreadable: ${(error as Error).message}`);
    }
    try {
      this.handle(event);
    } catch (error) {
      return this.park(message, `handler failed: ${(error as Error).message}`);
    }
  }

  /** The consumer does not take acknowledgements, so it cannot offer a message again: it goes to an operator instead. */
  private async park(message: JsMsg, reason: string): Promise<void> {
    await this.parking.park(message, reason).catch((error: unknown) => {
      this.logger.error(`could not park seq=${message.info.streamSequence} (${reason}): ${(error as Error).message}`);
    });
  }

  private setCaughtUp(id: number): void {
    if (id !== this.generationId || this.isCaughtUp) return;
    this.isCaughtUp = true;
    this.caughtUpSignal.resolve();
  }
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
