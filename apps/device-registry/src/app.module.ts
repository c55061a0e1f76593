import { DynamicModule, Module } from '@nestjs/common';
import { HealthController, loggingModule } from '@signoff/service-kit';
import { ActivityModule } from './activity/activity.module';
import { RegistryConfig } from './config/registry.config';
import { RegistryCoreModule } from './core/registry-core.module';
import { DevicesModule } from './devices/devices.module';
import { DownloadsModule } from './downloads/downloads.module';
import { RevocationProgressModule } from './revocation-progress/revocation-progress.module';
import { SecurityEventsModule } from './security-events/security-events.module';

/**
 * device-registry: the device inventory of every account and the device-by-device progress of
 * every revocation, fed by the SECURITY and PROGRESS streams, answered over NATS request/reply.
 */
@Module({})
export class DeviceRegistryModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: DeviceRegistryModule,
      imports: [
        loggingModule('device-registry', config.LOG_LEVEL),
        RegistryCoreModule.forRoot(config),
        DevicesModule,
        DownloadsModule,
        ActivityModule,
        RevocationProgressModule,
        SecurityEventsModule,
      ],
      controllers: [HealthController],
    };
  }
}
