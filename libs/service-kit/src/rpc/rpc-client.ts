import { Logger } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';

// Any Nest client proxy will do; the NATS one narrows its status type, hence the loose generic.
type AnyClientProxy = Pick<ClientProxy, 'send' | 'close'>;
import { RpcMap, RpcReply, RpcRequest, SignoffError } from '@signoff/contracts';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';

/**
 * Typed request/reply over NATS. Replies that carry an error come back as the `SignoffError`
 * they were; a timeout or a missing responder becomes a 503/504 with a code, never a hang.
 */
export class RpcClient {
  private readonly logger = new Logger(RpcClient.name);

  constructor(
    private readonly proxy: AnyClientProxy,
    private readonly timeoutMs: number,
  ) {}

  async call<S extends keyof RpcMap>(subject: S, payload: RpcRequest<S>, timeoutMs = this.timeoutMs): Promise<RpcReply<S>> {
    try {
      return await firstValueFrom(this.proxy.send<RpcReply<S>, RpcRequest<S>>(subject, payload).pipe(timeout(timeoutMs)));
    } catch (error) {
      throw this.translate(subject, error);
    }
  }

  private translate(subject: string, error: unknown): SignoffError {
    const known = SignoffError.fromWire(error);
    if (known) return known;
    if (error instanceof TimeoutError) {
      return new SignoffError('DEPENDENCY_TIMEOUT', `no answer from ${subject.split('.')[0]} in time; try again`);
    }
    const message = (error as Error)?.message ?? String(error);
    this.logger.warn(`${subject} failed: ${message}`);
    return new SignoffError('DEPENDENCY_UNAVAILABLE', `${subject.split('.')[0]} is unavailable right now; try again`);
  }

  close(): Promise<void> {
    return this.proxy.close() as Promise<void>;
  }
}
