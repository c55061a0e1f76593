import { StreamDefinition } from '@signoff/contracts';
import { JetStreamManager, NatsError, RetentionPolicy, StorageType, StreamConfig, StreamInfo } from 'nats';
import { NatsNamespace } from './nats-namespace';

/** What the deployment decides about every stream (the rest is in the stream's definition). */
export interface StreamDeployment {
  /** `NATS_STREAM_REPLICAS`: 1 on one server, 3 on a three-node cluster. */
  replicas: number;
}

const NANOS_PER_SECOND = 1_000_000_000;
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

/** The configuration a definition asks for under this namespace and deployment. */
export function streamConfig(namespace: NatsNamespace, definition: StreamDefinition, deployment: StreamDeployment): Partial<StreamConfig> & { name: string } {
  return {
    name: namespace.streamName(definition),
    subjects: namespace.streamSubjects(definition),
    retention: RetentionPolicy.Limits,
    storage: definition.storage === 'memory' ? StorageType.Memory : StorageType.File,
    max_age: definition.maxAgeSeconds * NANOS_PER_SECOND,
    duplicate_window: definition.duplicateWindowSeconds * NANOS_PER_SECOND,
    num_replicas: deployment.replicas,
  };
}

/**
 * What to change on an existing stream so that it meets the definition without lowering
 * anything an operator (or a newer release) set higher: replicas, max age and the duplicate
 * window only rise, subjects are only added. `undefined` when nothing needs to change.
 */
export function raisedConfig(existing: StreamConfig, wanted: Partial<StreamConfig>): StreamConfig | undefined {
  const next: StreamConfig = { ...existing };
  let changed = false;
  const raise = (key: 'num_replicas' | 'max_age' | 'duplicate_window'): void => {
    const want = wanted[key] ?? 0;
    // A max age of 0 is "keep for ever": nothing is above it.
    if (key === 'max_age' && existing.max_age === 0) return;
    if (want > existing[key]) {
      next[key] = want;
      changed = true;
    }
  };
  raise('num_replicas');
  raise('max_age');
  raise('duplicate_window');
  const subjects = new Set(existing.subjects ?? []);
  for (const subject of wanted.subjects ?? []) {
    if (!subjects.has(subject)) {
      subjects.add(subject);
      changed = true;
    }
  }
  next.subjects = [...subjects];
  return changed ? next : undefined;
}

/**
 * Creates the stream, or raises an existing one to its definition (never lowers it). Safe to
 * call from every replica of every service at once. Returns the stream's info afterwards.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  namespace: NatsNamespace,
  definition: StreamDefinition,
  deployment: StreamDeployment,
  attempt = 1,
): Promise<StreamInfo> {
  const wanted = streamConfig(namespace, definition, deployment);
  const existing = await streamInfo(jsm, wanted.name);
  if (existing) {
    const raised = raisedConfig(existing.config, wanted);
    return raised ? jsm.streams.update(wanted.name, raised) : existing;
  }
  try {
    return await jsm.streams.add(wanted);
  } catch (error) {
    // Another replica created it between our look and our add: take what it made, raised.
    if (!(error instanceof NatsError) || error.api_error?.err_code !== STREAM_NAME_IN_USE || attempt > 2) throw error;
    return ensureStream(jsm, namespace, definition, deployment, attempt + 1);
  }
}

/** The stream's info, or `undefined` when it does not exist. */
export async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (error instanceof NatsError && error.api_error?.err_code === STREAM_NOT_FOUND) return undefined;
    throw error;
  }
}
