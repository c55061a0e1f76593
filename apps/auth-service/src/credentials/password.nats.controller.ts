import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ChangePasswordReply, ChangePasswordRequest, RpcSubject } from '@signoff/contracts';
import { PasswordChangeService } from './password-change.service';

@Controller()
export class PasswordNatsController {
  constructor(private readonly passwords: PasswordChangeService) {}

  @MessagePattern(RpcSubject.changePassword)
  change(@Payload() request: ChangePasswordRequest): Promise<ChangePasswordReply> {
    return this.passwords.change(request);
  }
}
