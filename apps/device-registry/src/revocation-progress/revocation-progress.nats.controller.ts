import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GetRevocationProgressRequest, RevocationProgressReply, RpcSubject } from '@signoff/contracts';
import { RevocationProgressService } from './revocation-progress.service';

@Controller()
export class RevocationProgressNatsController {
  constructor(private readonly progress: RevocationProgressService) {}

  @MessagePattern(RpcSubject.getRevocationProgress)
  get(@Payload() request: GetRevocationProgressRequest): Promise<RevocationProgressReply> {
    return this.progress.get(request);
  }
}
