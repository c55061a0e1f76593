import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ListRecentRevocationsReply, ListRecentRevocationsRequest, RpcSubject } from '@signoff/contracts';
import { OutboxRecord } from './outbox-record';

@Controller()
export class StreamRecoveryNatsController {
  constructor(private readonly record: OutboxRecord) {}

  @MessagePattern(RpcSubject.listRecentRevocations)
  recentRevocations(@Payload() request: ListRecentRevocationsRequest): Promise<ListRecentRevocationsReply> {
    return this.record.recentRevocations(request.afterId, request.limit);
  }
}
