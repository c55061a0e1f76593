import { DeviceChannelClose } from '@signoff/contracts';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/** What one device saw of its sign-out. Times are `performance.now()` of this process. */
export interface ProbeOutcome {
  directiveRevocationId?: string;
  directiveAt?: number;
  closeCode?: number;
  closeAt?: number;
}

/**
 * One device's control channel, as cheap as a device can be: a raw `ws` client (no token
 * refresh, no purge), which acknowledges a logout directive like `DeviceClient` does and
 * stamps the moment its socket closes. Used against the gateways and the floor servers alike,
 * so both sides pay the same client cost.
 */
export class ProbeSocket {
  readonly outcome: ProbeOutcome = {};
  private socket?: WebSocket;
  private closedResolve?: () => void;
  readonly closed: Promise<void>;

  constructor(
    readonly accountIndex: number,
    readonly deviceId: string,
    readonly target: number,
  ) {
    this.closed = new Promise((resolve) => (this.closedResolve = resolve));
  }

  /** Opens the channel; rejects on a refused upgrade (with the status and body) or a timeout. */
  open(url: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false, handshakeTimeout: timeoutMs });
    this.socket = socket;
    socket.on('message', (data) => this.onMessage(data.toString()));
    socket.on('close', (code) => {
      this.outcome.closeAt = performance.now();
      this.outcome.closeCode = code;
      this.closedResolve?.();
    });
    return new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) => {
        let raw = '';
        response.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        response.on('end', () => reject(new Error(`device ${this.deviceId}: upgrade refused with ${response.statusCode} ${raw.slice(0, 200)}`)));
      });
      socket.once('error', (error) => reject(new Error(`device ${this.deviceId}: ${error.message}`)));
    });
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Drops the connection without a handshake (cleanup of devices that were not cut). */
  terminate(): void {
    this.socket?.terminate();
  }

  private onMessage(raw: string): void {
    let message: { type?: unknown; revocationId?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (message.type !== 'logout' || typeof message.revocationId !== 'string') return;
    this.outcome.directiveAt ??= performance.now();
    this.outcome.directiveRevocationId ??= message.revocationId;
    // A real device acknowledges while the socket is still open (DeviceClient does the same).
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'ack', revocationId: message.revocationId }));
  }
}

/** Devices that were not cut properly, by kind of failure. */
export interface CutCheck {
  cut: number;
  /** Closed with 4001 after a logout directive naming the expected revocation. */
  failures: { notClosed: number; wrongCode: number; noDirective: number; wrongRevocation: number };
  /** close time − start time of the device's account, ms, for the devices that were cut. */
  latencies: number[];
  examples: string[];
}

/** Checks every probe against its account's revocation and start time. */
export function checkCuts(probes: readonly ProbeSocket[], expected: (accountIndex: number) => { revocationId?: string; startedAt?: number }): CutCheck {
  const result: CutCheck = { cut: 0, failures: { notClosed: 0, wrongCode: 0, noDirective: 0, wrongRevocation: 0 }, latencies: [], examples: [] };
  const fail = (kind: keyof CutCheck['failures'], probe: ProbeSocket, detail: string) => {
    result.failures[kind]++;
    if (result.examples.length < 5) result.examples.push(`${probe.deviceId}: ${detail}`);
  };
  for (const probe of probes) {
    const { revocationId, startedAt } = expected(probe.accountIndex);
    const o = probe.outcome;
    if (o.closeAt === undefined || startedAt === undefined) fail('notClosed', probe, startedAt === undefined ? 'its account was never revoked' : 'still open');
    else if (o.closeCode !== DeviceChannelClose.signedOut.code) fail('wrongCode', probe, `closed with ${o.closeCode}`);
    else if (o.directiveRevocationId === undefined) fail('noDirective', probe, 'closed without a logout directive');
    else if (o.directiveRevocationId !== revocationId) fail('wrongRevocation', probe, `directive names ${o.directiveRevocationId}, expected ${revocationId}`);
    else {
      result.cut++;
      result.latencies.push(o.closeAt - startedAt);
    }
  }
  return result;
}

export function failureCount(check: CutCheck): number {
  const f = check.failures;
  return f.notClosed + f.wrongCode + f.noDirective + f.wrongRevocation;
}

/** Waits until every probe has closed, or the timeout passes (the rest count as not closed). */
export async function waitAllClosed(probes: readonly ProbeSocket[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(probes.map((p) => p.closed)), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
