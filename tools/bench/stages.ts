import { ProbeSocket } from './probe';
import { distribution, Distribution } from './stats';
import { AuthTrace } from './trace';

/** One account's "sign out of all devices", as timed from this process (`performance.now()`). */
export interface RevokeTiming {
  startedAt?: number;
  respondedAt?: number;
  revocationId?: string;
  /** When this process saw the epoch-bumped event on NATS (the outbox relay published it). */
  eventAt?: number;
  /** From auth-service's tables, when readable (see trace.ts). */
  trace?: AuthTrace;
  error?: string;
}

/** Where the time goes, stage by stage (per account, then per device once the event is out). */
export interface PropagationStages {
  /** Revoke call → its transaction began (HTTP, RPC, queueing for a pooled DB connection). */
  callToTxStart: Distribution;
  /** Transaction began → revocation recorded (locks, epoch bump, session updates). */
  authTransaction: Distribution;
  /** Revocation recorded → outbox relay transaction that published it began. */
  relayWait: Distribution;
  /** Relay transaction began → event seen on NATS. */
  relayToNats: Distribution;
  /** Revoke call → event seen on NATS (the sum of the four above). */
  eventPublished: Distribution;
  /** Revoke call → 202 back at the caller. */
  revokeResponse: Distribution;
  /** Event seen on NATS → device socket closed (JetStream delivery, gateway fan-out, close handshake). */
  eventToClose: Distribution;
  /** Logout directive received → socket closed (close handshake under load). */
  directiveToClose: Distribution;
  /** Distinct relay transactions that published the revocations. */
  relayBatches: number;
}

export function stagesOf(probes: readonly ProbeSocket[], timings: readonly RevokeTiming[]): PropagationStages {
  const perAccount = (f: (t: RevokeTiming) => number | undefined) => distribution(timings.map(f).filter(isNumber));
  const perDevice = (f: (p: ProbeSocket, t: RevokeTiming) => number | undefined) => distribution(probes.map((p) => f(p, timings[p.accountIndex])).filter(isNumber));
  return {
    callToTxStart: perAccount((t) => diff(t.trace?.txStartedAt, t.startedAt)),
    authTransaction: perAccount((t) => diff(t.trace?.recordedAt, t.trace?.txStartedAt)),
    relayWait: perAccount((t) => diff(t.trace?.relayStartedAt, t.trace?.recordedAt)),
    relayToNats: perAccount((t) => diff(t.eventAt, t.trace?.relayStartedAt)),
    eventPublished: perAccount((t) => diff(t.eventAt, t.startedAt)),
    revokeResponse: perAccount((t) => diff(t.respondedAt, t.startedAt)),
    eventToClose: perDevice((p, t) => diff(p.outcome.closeAt, t.eventAt)),
    directiveToClose: perDevice((p) => diff(p.outcome.closeAt, p.outcome.directiveAt)),
    relayBatches: new Set(timings.map((t) => t.trace?.relayStartedAt).filter(isNumber)).size,
  };
}

/** Every account and device on one line each, times in ms since the first revoke call (tmp/bench/timeline.json). */
export function timeline(probes: readonly ProbeSocket[], timings: readonly RevokeTiming[]): unknown[] {
  const zero = Math.min(...timings.map((t) => t.startedAt ?? Infinity));
  const rel = (v: number | undefined) => (v === undefined ? null : Math.round((v - zero) * 100) / 100);
  return timings.map((t, index) => ({
    account: index,
    revocationId: t.revocationId ?? null,
    call: rel(t.startedAt),
    txStart: rel(t.trace?.txStartedAt),
    recorded: rel(t.trace?.recordedAt),
    relay: rel(t.trace?.relayStartedAt),
    event: rel(t.eventAt),
    response: rel(t.respondedAt),
    error: t.error ?? null,
    devices: probes
      .filter((p) => p.accountIndex === index)
      .map((p) => ({ device: p.deviceId, target: p.target, directive: rel(p.outcome.directiveAt), close: rel(p.outcome.closeAt), code: p.outcome.closeCode ?? null })),
  }));
}

function isNumber(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}

function diff(later: number | undefined, earlier: number | undefined): number | undefined {
  return later === undefined || earlier === undefined ? undefined : later - earlier;
}
