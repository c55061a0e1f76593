import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { ActivityNatsController } from './activity.nats.controller';
import { ActivityService } from './activity.service';

@Module({
  imports: [DevicesModule],
  controllers: [ActivityNatsController],
  providers: [ActivityService],
})
export class ActivityModule {}
