import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ConfirmPasswordResetReply,
  ConfirmPasswordResetRequest,
  RequestPasswordResetReply,
  RequestPasswordResetRequest,
  RpcSubject,
} from '@signoff/contracts';
import { PasswordResetRequests } from './password-reset-requests';
import { PasswordResetService } from './password-reset.service';

@Controller()
export class PasswordResetNatsController {
  constructor(
    private readonly requests: PasswordResetRequests,
    private readonly resets: PasswordResetService,
  ) {}

  @MessagePattern(RpcSubject.requestPasswordReset)
  request(@Payload() request: RequestPasswordResetRequest): Promise<RequestPasswordResetReply> {
    return this.requests.enqueue(request);
  }

  @MessagePattern(RpcSubject.confirmPasswordReset)
  confirm(@Payload() request: ConfirmPasswordResetRequest): Promise<ConfirmPasswordResetReply> {
    return this.resets.confirm(request);
  }
}
