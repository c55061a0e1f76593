import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { NotMeReply, NotMeRequest, RpcSubject } from '@signoff/contracts';
import { SignInAlertsService } from './sign-in-alerts.service';

@Controller()
export class SignInAlertsNatsController {
  constructor(private readonly alerts: SignInAlertsService) {}

  @MessagePattern(RpcSubject.notMe)
  notMe(@Payload() request: NotMeRequest): Promise<NotMeReply> {
    return this.alerts.notMe(request);
  }
}
