import { Module } from '@nestjs/common';
import { SecurityEventsModule } from '../security-events/security-events.module';
import { ConnectionRegistry } from './connection-registry';
import { DeviceChannelServer } from './device-channel.server';
import { PresenceService } from './presence.service';
import { ProgressReporter } from './progress-reporter.service';

@Module({
  imports: [SecurityEventsModule],
  providers: [ConnectionRegistry, PresenceService, ProgressReporter, DeviceChannelServer],
  exports: [ProgressReporter, DeviceChannelServer, ConnectionRegistry],
})
export class DeviceChannelModule {}
