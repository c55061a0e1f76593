import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { RevocationProgressModule } from '../revocation-progress/revocation-progress.module';
import { ProcessedEvents } from './processed-events';
import { ProcessedEventsPruner } from './processed-events.pruner';
import { SecurityEventsConsumer } from './security-events.consumer';
import { SecurityEventsHandler } from './security-events.handler';

@Module({
  imports: [DevicesModule, RevocationProgressModule],
  providers: [ProcessedEvents, ProcessedEventsPruner, SecurityEventsHandler, SecurityEventsConsumer],
  exports: [SecurityEventsHandler],
})
export class SecurityEventsModule {}
