import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  EmailCodeStepUpRequest,
  RpcSubject,
  SendStepUpEmailCodeReply,
  SendStepUpEmailCodeRequest,
  StepUpReply,
  StepUpRequest,
} from '@signoff/contracts';
import { EmailCodeStepUpService } from './email-code-step-up.service';
import { StepUpService } from './step-up.service';

@Controller()
export class StepUpNatsController {
  constructor(
    private readonly stepUps: StepUpService,
    private readonly emailCodes: EmailCodeStepUpService,
  ) {}

  @MessagePattern(RpcSubject.stepUp)
  stepUp(@Payload() request: StepUpRequest): Promise<StepUpReply> {
    return this.stepUps.stepUp(request);
  }

  @MessagePattern(RpcSubject.sendStepUpEmailCode)
  sendEmailCode(@Payload() request: SendStepUpEmailCodeRequest): Promise<SendStepUpEmailCodeReply> {
    return this.emailCodes.send(request);
  }

  @MessagePattern(RpcSubject.stepUpWithEmailCode)
  stepUpWithEmailCode(@Payload() request: EmailCodeStepUpRequest): Promise<StepUpReply> {
    return this.emailCodes.stepUp(request);
  }
}
