import { Module } from '@nestjs/common';
import { GeoIpModule } from '../geoip/geoip.module';
import { DeviceHistoryRepository } from './device-history.repository';
import { DevicesNatsController } from './devices.nats.controller';
import { DevicesService } from './devices.service';
import { HistoryRetentionPruner } from './history-retention.pruner';
import { LiveStateReader } from './live-state.reader';

@Module({
  imports: [GeoIpModule],
  controllers: [DevicesNatsController],
  providers: [DevicesService, DeviceHistoryRepository, LiveStateReader, HistoryRetentionPruner],
  exports: [DevicesService, DeviceHistoryRepository],
})
export class DevicesModule {}
