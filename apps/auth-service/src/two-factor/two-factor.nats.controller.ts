import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  BeginTwoFactorEnrolmentRequest,
  ConfirmTwoFactorRequest,
  DisableTwoFactorRequest,
  GetTwoFactorStatusRequest,
  OtpStepUpRequest,
  RecoveryCodesReply,
  RegenerateRecoveryCodesRequest,
  RpcSubject,
  StepUpReply,
  TwoFactorDisabledReply,
  TwoFactorEnrolmentReply,
  TwoFactorStatusReply,
} from '@signoff/contracts';
import { TwoFactorService } from './two-factor.service';

@Controller()
export class TwoFactorNatsController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  @MessagePattern(RpcSubject.getTwoFactorStatus)
  status(@Payload() request: GetTwoFactorStatusRequest): Promise<TwoFactorStatusReply> {
    return this.twoFactor.status(request);
  }

  @MessagePattern(RpcSubject.beginTwoFactorEnrolment)
  begin(@Payload() request: BeginTwoFactorEnrolmentRequest): Promise<TwoFactorEnrolmentReply> {
    return this.twoFactor.begin(request);
  }

  @MessagePattern(RpcSubject.confirmTwoFactor)
  confirm(@Payload() request: ConfirmTwoFactorRequest): Promise<RecoveryCodesReply> {
    return this.twoFactor.confirm(request);
  }

  @MessagePattern(RpcSubject.disableTwoFactor)
  disable(@Payload() request: DisableTwoFactorRequest): Promise<TwoFactorDisabledReply> {
    return this.twoFactor.disable(request);
  }

  @MessagePattern(RpcSubject.regenerateRecoveryCodes)
  regenerateRecoveryCodes(@Payload() request: RegenerateRecoveryCodesRequest): Promise<RecoveryCodesReply> {
    return this.twoFactor.regenerateRecoveryCodes(request);
  }

  @MessagePattern(RpcSubject.stepUpWithOtp)
  stepUp(@Payload() request: OtpStepUpRequest): Promise<StepUpReply> {
    return this.twoFactor.stepUp(request);
  }
}
