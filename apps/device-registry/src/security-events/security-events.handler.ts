import { Injectable, Logger } from '@nestjs/common';
import { EventSubject, SessionStartedV1 } from '@signoff/contracts';
import { InboundEvent } from '@signoff/messaging';
import { Database } from '../core/database';
import { DevicesService } from '../devices/devices.service';
import { ProgressReport, RevocationProgressService, RevocationRecord } from '../revocation-progress/revocation-progress.service';
import { ProcessedEvents } from './processed-events';

/**
 * What a batch of events does, in stream order: consecutive revocations and consecutive progress
 * reports are applied together (set-based), sign-ins one by one.
 */
type Step = { kind: 'revocations'; records: RevocationRecord[] } | { kind: 'progress'; reports: ProgressReport[] } | { kind: 'signIn'; event: SessionStartedV1 };

/**
 * Applies validated events from the SECURITY or PROGRESS stream, exactly once: the effect and the
 * event ids commit together, and an id seen before is skipped (JetStream redelivers, even
 * acknowledged messages after a broker restart). A throw leaves the events to be redelivered.
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
  async handle(event: InboundEvent): Promise<boolean> {
    return (await this.handleBatch([event])) === 1;
  }

  /**
   * Applies a batch in one transaction, with the same outcome as applying its events one by one
   * in the order given; an event id seen before, or twice in the batch, is applied once. Resolves
   * with how many events were applied now.
   */
  handleBatch(events: readonly InboundEvent[]): Promise<number> {
    if (events.length === 0) return Promise.resolve(0);
    return this.db.transaction(async () => {
      const fresh = await this.processed.claim(events.map((e) => e.payload.eventId));
      // Each fresh id is taken once: a second copy within the batch is not applied again.
      const apply = events.filter((e) => fresh.delete(e.payload.eventId.toLowerCase()));
      if (apply.length < events.length) this.logger.debug(`skipping ${events.length - apply.length} event(s) already applied`);
      for (const step of steps(apply)) await this.run(step);
      return apply.length;
    });
  }

  private run(step: Step): Promise<void> {
    switch (step.kind) {
      case 'revocations':
        return this.progress.recordRevocations(step.records);
      case 'progress':
        return this.progress.recordProgress(step.reports);
      case 'signIn':
        return this.devices.recordSignIn(step.event);
    }
  }
}

/** Groups events into steps, keeping their order. */
function steps(events: readonly InboundEvent[]): Step[] {
  const result: Step[] = [];
  const last = (): Step | undefined => result[result.length - 1];
  const addRevocation = (record: RevocationRecord): void => {
    const step = last();
    if (step?.kind === 'revocations') step.records.push(record);
    else result.push({ kind: 'revocations', records: [record] });
  };
  const addReport = (report: ProgressReport): void => {
    const step = last();
    if (step?.kind === 'progress') step.reports.push(report);
    else result.push({ kind: 'progress', reports: [report] });
  };
  for (const event of events) {
    switch (event.subject) {
      case EventSubject.sessionStarted:
        result.push({ kind: 'signIn', event: event.payload });
        break;
      case EventSubject.sessionRevoked:
        addRevocation({ subject: event.subject, event: event.payload });
        break;
      case EventSubject.accountEpochBumped:
        addRevocation({ subject: event.subject, event: event.payload });
        break;
      // A progress message carries the reports of many devices: each is one report.
      case EventSubject.deviceCut:
        for (const device of event.payload.devices) addReport({ event: device, state: 'cut' });
        break;
      case EventSubject.deviceLogoutAcknowledged:
        for (const device of event.payload.devices) addReport({ event: device, state: 'acknowledged' });
        break;
      case EventSubject.deviceLoggedOutOnReconnect:
        for (const device of event.payload.devices) addReport({ event: device, state: 'logged_out_on_reconnect' });
        break;
      // Signing keys are the gateways' concern: nothing for the registry to record.
      case EventSubject.keysRotated:
        break;
      // A record only: the sign-out it may cause arrives as its own epoch_bumped event.
      case EventSubject.passwordChanged:
        break;
      default: {
        const unknown: never = event;
        throw new Error(`no handler for ${(unknown as InboundEvent).subject}`);
      }
    }
  }
  return result;
}
