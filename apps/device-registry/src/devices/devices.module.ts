import { Module } from '@nestjs/common';
import { GeoIpModule } from '../geoip/geoip.module';
import { DeviceHistoryRepository } from './device-history.repository';
import { DevicesNatsController } from './devices.nats.controller';
import { DevicesService } from './devices.service';
import { LiveStateReader } from './live-state.reader';

@Module({
  imports: [GeoIpModule],
  controllers: [DevicesNatsController],
  providers: [DevicesService, DeviceHistoryRepository, LiveStateReader],
  exports: [DevicesService, DeviceHistoryRepository],
})
export class DevicesModule {}
