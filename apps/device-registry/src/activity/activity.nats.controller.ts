import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DeviceActivityV1, NoticeSubject } from '@signoff/contracts';
import { ActivityService } from './activity.service';

@Controller()
export class ActivityNatsController {
  constructor(private readonly activity: ActivityService) {}

  @EventPattern(NoticeSubject.deviceActivity)
  recorded(@Payload() notice: DeviceActivityV1): Promise<void> {
    return this.activity.record(notice);
  }
}
