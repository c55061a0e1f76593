import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ListRecentRevocationsReply, ListRecentRevocationsRequest, RecordedRevocationEvent, RpcSubject } from '@signoff/contracts';
import { NamespacedNatsServer, NatsNamespace, natsTransportOptions } from '@signoff/messaging';

/**
 * Answers `auth.revocations.recent.v1` the way auth-service does (over the real NATS transport)
 * from a list the spec controls: gateway specs run without auth-service, yet a gateway on a young
 * stream asks for that record before it says its view is current.
 */
export class AuthRecordStandIn {
  readonly events: RecordedRevocationEvent[] = [];
  requests = 0;

  private app?: INestMicroservice;

  static async start(natsUrl: string, namespace: string): Promise<AuthRecordStandIn> {
    const record = new AuthRecordStandIn();
    @Controller()
    class RecordController {
      @MessagePattern(RpcSubject.listRecentRevocations)
      list(@Payload() request: ListRecentRevocationsRequest): ListRecentRevocationsReply {
        record.requests++;
        const from = request.afterId ? Number(request.afterId) : 0;
        const page = record.events.slice(from, from + request.limit);
        const next = from + page.length;
        return { events: page, nextAfterId: page.length === request.limit ? String(next) : undefined };
      }
    }
    @Module({ controllers: [RecordController] })
    class RecordModule {}
    const app = await NestFactory.createMicroservice(RecordModule, {
      strategy: new NamespacedNatsServer(natsTransportOptions(natsUrl, 'auth-record-stand-in'), new NatsNamespace(namespace)),
      logger: false,
    });
    await app.listen();
    record.app = app;
    return record;
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }
}
