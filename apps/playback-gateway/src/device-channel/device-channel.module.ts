import { Module } from '@nestjs/common';
import { SecurityEventsModule } from '../security-events/security-events.module';
import { ConnectionRegistry } from './connection-registry';
import { DeviceChannelServer } from './device-channel.server';
import { GatewayDrain } from './gateway-drain';
import { PresenceService } from './presence.service';
import { ProgressReporter } from './progress-reporter.service';

@Module({
  imports: [SecurityEventsModule],
  providers: [ConnectionRegistry, PresenceService, ProgressReporter, DeviceChannelServer, GatewayDrain],
  exports: [ProgressReporter, DeviceChannelServer, ConnectionRegistry, GatewayDrain],
})
export class DeviceChannelModule {}
