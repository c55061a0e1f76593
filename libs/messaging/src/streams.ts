import { StreamDefinition } from '@signoff/contracts';
import { JetStreamManager, NatsError, RetentionPolicy, StorageType, StreamConfig } from 'nats';
import { NatsNamespace } from './nats-namespace';

export interface StreamSettings {
  /** How long messages are kept; the gateway replays at most the access-token lifetime. */
  maxAgeMs: number;
  /** JetStream de-duplicates by `Nats-Msg-Id` within this window (outbox republish safety). */
  duplicateWindowMs: number;
  replicas?: number;
}

const NANOS_PER_MS = 1_000_000;

/** Creates the stream, or brings an existing one to these settings. Safe to call from every replica. */
export async function ensureStream(
  jsm: JetStreamManager,
  namespace: NatsNamespace,
  definition: StreamDefinition,
  settings: StreamSettings,
): Promise<string> {
  const name = namespace.streamName(definition);
  const config: Partial<StreamConfig> = {
    name,
    subjects: namespace.streamSubjects(definition),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: settings.maxAgeMs * NANOS_PER_MS,
    duplicate_window: settings.duplicateWindowMs * NANOS_PER_MS,
    num_replicas: settings.replicas ?? 1,
  };
  try {
    await jsm.streams.info(name);
    await jsm.streams.update(name, config);
  } catch (error) {
    if (!(error instanceof NatsError) || error.api_error?.err_code !== 10059) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // Another replica created it between our look and our add.
      if (!(addError instanceof NatsError) || addError.api_error?.err_code !== 10058) throw addError;
    }
  }
  return name;
}
