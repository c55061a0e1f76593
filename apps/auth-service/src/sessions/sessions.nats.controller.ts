import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CheckSessionReply, CheckSessionRequest, LoginReply, LoginRequest, RefreshReply, RefreshRequest, RpcSubject } from '@signoff/contracts';
import { SessionsService } from './sessions.service';

@Controller()
export class SessionsNatsController {
  constructor(private readonly sessions: SessionsService) {}

  @MessagePattern(RpcSubject.login)
  login(@Payload() request: LoginRequest): Promise<LoginReply> {
    return this.sessions.login(request);
  }

  @MessagePattern(RpcSubject.refresh)
  refresh(@Payload() request: RefreshRequest): Promise<RefreshReply> {
    return this.sessions.refresh(request);
  }

  @MessagePattern(RpcSubject.checkSession)
  check(@Payload() request: CheckSessionRequest): Promise<CheckSessionReply> {
    return this.sessions.check(request);
  }
}
