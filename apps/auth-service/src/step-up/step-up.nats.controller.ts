import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RpcSubject, StepUpReply, StepUpRequest } from '@signoff/contracts';
import { StepUpService } from './step-up.service';

@Controller()
export class StepUpNatsController {
  constructor(private readonly stepUps: StepUpService) {}

  @MessagePattern(RpcSubject.stepUp)
  stepUp(@Payload() request: StepUpRequest): Promise<StepUpReply> {
    return this.stepUps.stepUp(request);
  }
}
