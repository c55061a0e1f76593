import type { RevocationAccepted, StepUpReply } from '@signoff/contracts';
import { EventSubject } from '@signoff/contracts';
import { NatsConnection, Subscription } from 'nats';
import { performance } from 'node:perf_hooks';
import { BenchConfig } from './config';
import { CpuWindow } from './cpu';
import { BenchAccount } from './fleet';
import { callJson } from './http';
import { forEachBounded } from './pool';
import { checkCuts, CutCheck, ProbeSocket, waitAllClosed } from './probe';
import { PropagationStages, RevokeTiming, stagesOf } from './stages';
import { distribution, Distribution } from './stats';

export interface PropagationResult {
  check: CutCheck;
  latency: Distribution;
  revokeErrors: number;
  stages: PropagationStages;
  /** From the first revoke call to the last device closed. */
  wallMs: number;
  traceError?: string;
  /** CPU spent by each process from the first revoke call to the last close. */
  cpu?: CpuWindow;
}

/** Step-up (password re-entry) with each account's first device, before anything is timed. */
export async function stepUpAll(accounts: BenchAccount[], gateways: string[], config: BenchConfig, deadline: number): Promise<string[]> {
  const reauth: string[] = [];
  await forEachBounded(accounts, config.loginConcurrency, deadline, 'step-up', async (account) => {
    const device = account.devices[0];
    const reply = await callJson<StepUpReply>(gateways[device.target], 'POST', '/v1/auth/step-up', {
      token: device.accessToken,
      body: { password: account.password },
      expect: 200,
    });
    reauth[account.index] = reply.reauthToken;
  });
  return reauth;
}

/**
 * Listens (core NATS, beside JetStream) for `security.account.epoch_bumped.v1` of this run:
 * the moment the outbox relay publishes an account's revocation. It splits the propagation
 * into "auth-service committed and relayed" and "gateways consumed and cut".
 */
export function watchEpochBumps(nc: NatsConnection, namespace: string, onEvent: (accountId: string, at: number) => void): Subscription {
  return nc.subscribe(`${namespace}.${EventSubject.accountEpochBumped}`, {
    callback: (error, message) => {
      if (error) return;
      const at = performance.now();
      try {
        const payload = JSON.parse(message.string()) as { accountId?: unknown };
        if (typeof payload.accountId === 'string') onEvent(payload.accountId, at);
      } catch {
        // not ours to judge; the gateways validate events
      }
    },
  });
}

/**
 * Fires every account's `POST /v1/sessions/revoke-all` at once (each stamped just before its
 * own call), then waits for every device to be cut and checks each one: close code 4001
 * after a logout directive naming its account's revocation.
 */
export async function revokeEverything(
  accounts: BenchAccount[],
  gateways: string[],
  reauth: string[],
  probes: ProbeSocket[],
  timings: RevokeTiming[],
  config: BenchConfig,
): Promise<PropagationResult> {
  const first = performance.now();
  const calls = accounts.map((account) => {
    const device = account.devices[0];
    const timing = timings[account.index];
    timing.startedAt = performance.now();
    return callJson<RevocationAccepted>(gateways[device.target], 'POST', '/v1/sessions/revoke-all', {
      token: device.accessToken,
      headers: { 'X-Reauth-Token': reauth[account.index] },
      body: { includeCurrent: true },
      expect: 202,
      retries: 0,
      timeoutMs: config.cutTimeoutMs,
    }).then(
      (reply) => {
        timing.respondedAt = performance.now();
        timing.revocationId = reply.revocationId;
      },
      (error: unknown) => {
        timing.error = error instanceof Error ? error.message : String(error);
      },
    );
  });
  await Promise.all([Promise.all(calls), waitAllClosed(probes, config.cutTimeoutMs)]);
  const lastClose = Math.max(...probes.map((p) => p.outcome.closeAt ?? -Infinity));
  const check = checkCuts(probes, (i) => timings[i]);
  return {
    check,
    latency: distribution(check.latencies),
    revokeErrors: timings.filter((t) => t.error !== undefined).length,
    stages: stagesOf(probes, timings),
    wallMs: lastClose - first,
  };
}

