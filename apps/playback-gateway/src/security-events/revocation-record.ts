import { Logger } from '@nestjs/common';
import { EVENT_CLASSES, parseEvent, RECORDED_REVOCATION_SUBJECTS, RpcSubject } from '@signoff/contracts';
import { TypedEvent } from '@signoff/messaging';
import { RpcClient } from '@signoff/service-kit';

const PAGE_SIZE = 500;
const RETRY_MS = { first: 250, max: 5_000 };

/**
 * Reads auth-service's own record of the revocations inside the access-token lifetime and hands
 * each to the view, validated like a stream event. It is what a gateway falls back on when the
 * SECURITY stream cannot be trusted to hold that whole window.
 */
export class RevocationRecord {
  private readonly logger = new Logger(RevocationRecord.name);

  constructor(
    private readonly rpc: RpcClient,
    private readonly apply: (event: TypedEvent) => void,
  ) {}

  /** Loads every page, retrying (with backoff) while auth-service does not answer, until done or `cancelled()`. */
  async loadUntilDone(cancelled: () => boolean): Promise<number> {
    let delay = RETRY_MS.first;
    for (let attempt = 1; !cancelled(); attempt++) {
      try {
        const applied = await this.load(cancelled);
        this.logger.log(`applied ${applied} revocation(s) from auth-service's record`);
        return applied;
      } catch (error) {
        this.logger.warn(`auth-service's record of revocations not read (attempt ${attempt}), retrying in ${delay} ms: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, RETRY_MS.max);
      }
    }
    return 0;
  }

  private async load(cancelled: () => boolean): Promise<number> {
    let afterId: string | undefined;
    let applied = 0;
    do {
      const page = await this.rpc.call(RpcSubject.listRecentRevocations, { afterId, limit: PAGE_SIZE });
      for (const { subject, payload } of page.events) {
        if (!RECORDED_REVOCATION_SUBJECTS.includes(subject)) continue;
        const cls = EVENT_CLASSES[subject as keyof typeof EVENT_CLASSES] as new () => object;
        let event: TypedEvent;
        try {
          event = { subject, payload: parseEvent(cls, payload) } as TypedEvent;
        } catch (error) {
          // The same event on the stream would be parked; here there is no message to park.
          this.logger.error(`skipping an unreadable ${subject} from auth-service's record: ${(error as Error).message}`);
          continue;
        }
        this.apply(event);
        applied++;
      }
      afterId = page.nextAfterId;
    } while (afterId && !cancelled());
    return applied;
  }
}
