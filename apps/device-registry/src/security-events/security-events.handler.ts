import { Injectable, Logger } from '@nestjs/common';
import { EventSubject } from '@signoff/contracts';
import { InboundEvent } from '@signoff/messaging';
import { Database } from '../core/database';
import { DevicesService } from '../devices/devices.service';
import { RevocationProgressService } from '../revocation-progress/revocation-progress.service';
import { ProcessedEvents } from './processed-events';

/**
 * Applies one validated event from the SECURITY or PROGRESS stream, exactly once: the effect and
 * the event id commit together, and an id seen before is skipped (JetStream redelivers, even
 * acknowledged messages after a broker restart). A throw leaves the message to be redelivered.
 */
@Injectable()
export class SecurityEventsHandler {
  private readonly logger = new Logger(SecurityEventsHandler.name);

  constructor(
    private readonly db: Database,
    private readonly processed: ProcessedEvents,
    private readonly devices: DevicesService,
    private readonly progress: RevocationProgressService,
  ) {}

  /** Resolves `true` if the event was applied now, `false` if it had been already. */
  handle(event: InboundEvent): Promise<boolean> {
    return this.db.transaction(async () => {
      if (!(await this.processed.claim(event.payload.eventId))) {
        this.logger.debug(`skipping ${event.subject} eventId=${event.payload.eventId}: already applied`);
        return false;
      }
      await this.apply(event);
      return true;
    });
  }

  private async apply(event: InboundEvent): Promise<void> {
    switch (event.subject) {
      case EventSubject.sessionStarted:
        return this.devices.recordSignIn(event.payload);
      case EventSubject.sessionRevoked:
        return this.progress.recordRevocation(event.subject, event.payload);
      case EventSubject.accountEpochBumped:
        return this.progress.recordRevocation(event.subject, event.payload);
      case EventSubject.deviceCut:
        return this.progress.recordProgress(event.payload, 'cut');
      case EventSubject.deviceLogoutAcknowledged:
        return this.progress.recordProgress(event.payload, 'acknowledged');
      case EventSubject.deviceLoggedOutOnReconnect:
        return this.progress.recordProgress(event.payload, 'logged_out_on_reconnect');
      default: {
        const unknown: never = event;
        throw new Error(`no handler for ${(unknown as InboundEvent).subject}`);
      }
    }
  }
}
