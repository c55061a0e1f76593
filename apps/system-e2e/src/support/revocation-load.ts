import { DeviceClient, SignedOutEvent } from '@signoff/device-client';
import { http, TestStack } from './test-stack';

/** A device signed in and connected, waiting to be signed out by one revocation of its own. */
export interface SignOutTarget {
  deviceId: string;
  gateway: number;
  device: DeviceClient;
  /** Its access token from before the revocation: every gateway must refuse it afterwards. */
  accessToken: string;
  /** Every logout directive the device obeyed (the client obeys the first; a second one would be a bug upstream too). */
  signedOut: Array<{ event: SignedOutEvent; at: number }>;
  closeCode?: number;
  /** Who signs it out: another device of the account, on the other gateway. */
  controller: { token: string; gateway: number };
}

/** One sign-out as issued and as seen since. */
export interface IssuedRevocation {
  target: SignOutTarget;
  status: number;
  revocationId?: string;
  acceptedAt?: number;
  /** Gateways that answered 401 SESSION_REVOKED for the target's old token. */
  refusedOn: Set<number>;
  /** Last time a gateway still answered 200 to its old token after the 202. */
  lastServedAt?: number;
  /** When it was seen refused on every gateway with the device told (polling: a few hundred ms late at most). */
  appliedAt?: number;
}

export interface PhaseNumbers {
  phase: string;
  victim: string;
  issued: number;
  accepted: number;
  applied: number;
  lost: number;
  /** Longest 202 → applied everywhere. */
  maxLatencyMs: number;
  /** Revocations whose old token was still served (200) by a gateway after the 202, and the longest such time. */
  servedAfterAccept: number;
  maxServedAfterAcceptMs: number;
  /** From the node's restart until the last accepted revocation was applied everywhere. */
  settledAfterRestartMs: number;
}

/**
 * Sign-outs for a fault test: a fresh device per revocation, connected to one gateway and
 * signed out through the other, so every revocation crosses the broker between gateways.
 */
export class RevocationLoad {
  private accounts = 0;

  constructor(
    private readonly stack: TestStack,
    private readonly gateways: number,
  ) {}

  /** `count` devices of one fresh account, alternating between gateways, each connected. */
  async prepare(count: number): Promise<SignOutTarget[]> {
    const account = ++this.accounts;
    const holder = await this.stack.signUp();
    const controllers = await Promise.all(
      Array.from({ length: this.gateways }, async (_, gateway) => {
        const client = this.stack.device(gateway, { id: `controller-${account}-${gateway}`, type: 'phone', name: `Controller ${gateway}` });
        await client.signIn(holder.email, holder.password);
        return { token: client.tokens!.accessToken, gateway };
      }),
    );
    const targets: SignOutTarget[] = [];
    for (let batch = 0; batch < count; batch += 4) {
      const made = await Promise.all(
        Array.from({ length: Math.min(4, count - batch) }, async (_, j) => {
          const i = batch + j;
          const gateway = i % this.gateways;
          const deviceId = `tv-${account}-${i}`;
          const device = this.stack.device(gateway, { id: deviceId, type: 'tv', name: `TV ${i}` });
          await device.signIn(holder.email, holder.password);
          await device.connect();
          const target: SignOutTarget = {
            deviceId,
            gateway,
            device,
            accessToken: device.tokens!.accessToken,
            signedOut: [],
            controller: controllers[(gateway + 1) % this.gateways],
          };
          device.on('signed-out', (event) => {
            target.signedOut.push({ event, at: Date.now() });
            void device.closed().then(({ code }) => (target.closeCode = code));
          });
          return target;
        }),
      );
      targets.push(...made);
    }
    return targets;
  }

  /**
   * Issues one sign-out per target, `intervalMs` apart (without waiting for answers, to keep the
   * pace), and meanwhile polls every accepted one until it is applied everywhere (its old token
   * refused on every gateway, its device told) or `timeoutMs` after the last answer. Returns
   * every revocation issued and those accepted but still not applied.
   */
  async run(targets: SignOutTarget[], intervalMs: number, timeoutMs: number): Promise<{ issued: IssuedRevocation[]; notApplied: IssuedRevocation[] }> {
    const issued: IssuedRevocation[] = [];
    const answered: Array<Promise<void>> = [];
    let sending = true;
    const sent = (async () => {
      for (const target of targets) {
        const revocation: IssuedRevocation = { target, status: 0, refusedOn: new Set() };
        issued.push(revocation);
        answered.push(this.signOut(revocation));
        await new Promise((r) => setTimeout(r, intervalMs));
      }
      await Promise.all(answered);
      sending = false;
    })();
    const pending = () => issued.filter((r) => r.revocationId && !r.appliedAt);
    let deadline = Infinity;
    while (sending || (pending().length > 0 && Date.now() < deadline)) {
      await Promise.all(pending().map((r) => this.look(r)));
      if (!sending && deadline === Infinity) deadline = Date.now() + timeoutMs;
      await new Promise((r) => setTimeout(r, 250));
    }
    await sent;
    return { issued, notApplied: pending() };
  }

  /** Whether the target's old token is refused as revoked by this gateway now. */
  async refusedBy(target: SignOutTarget, gateway: number): Promise<boolean> {
    return (await this.whoami(target, gateway)) === 'revoked';
  }

  private async whoami(target: SignOutTarget, gateway: number): Promise<'revoked' | 'served' | 'other'> {
    const answer = await http(this.stack.gateway(gateway), 'GET', '/v1/auth/whoami', { token: target.accessToken }).catch(() => undefined);
    if (answer?.status === 401 && answer.body?.error?.code === 'SESSION_REVOKED') return 'revoked';
    return answer?.status === 200 ? 'served' : 'other';
  }

  private async signOut(revocation: IssuedRevocation): Promise<void> {
    const { target } = revocation;
    const answer = await http(this.stack.gateway(target.controller.gateway), 'POST', `/v1/devices/${target.deviceId}/sign-out`, {
      token: target.controller.token,
    }).catch(() => undefined);
    revocation.status = answer?.status ?? 0;
    if (answer?.status === 202) {
      revocation.revocationId = (answer.body as { revocationId: string }).revocationId;
      revocation.acceptedAt = Date.now();
    }
  }

  private async look(revocation: IssuedRevocation): Promise<void> {
    for (let gateway = 0; gateway < this.gateways; gateway++) {
      if (revocation.refusedOn.has(gateway)) continue;
      const seen = await this.whoami(revocation.target, gateway);
      if (seen === 'revoked') revocation.refusedOn.add(gateway);
      if (seen === 'served') revocation.lastServedAt = Date.now();
    }
    if (revocation.refusedOn.size === this.gateways && revocation.target.signedOut.length > 0) revocation.appliedAt = Date.now();
  }
}
