import { Module } from '@nestjs/common';
import { DeviceHistoryRepository } from './device-history.repository';
import { DevicesNatsController } from './devices.nats.controller';
import { DevicesService } from './devices.service';
import { LiveStateReader } from './live-state.reader';

@Module({
  controllers: [DevicesNatsController],
  providers: [DevicesService, DeviceHistoryRepository, LiveStateReader],
  exports: [DevicesService, DeviceHistoryRepository],
})
export class DevicesModule {}
