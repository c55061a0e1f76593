import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  LogoutReply,
  LogoutRequest,
  RevocationAccepted,
  RevokeAllSessionsRequest,
  RpcSubject,
  SignOutDeviceRequest,
} from '@signoff/contracts';
import { RevocationsService } from './revocations.service';

@Controller()
export class RevocationsNatsController {
  constructor(private readonly revocations: RevocationsService) {}

  @MessagePattern(RpcSubject.logout)
  logout(@Payload() request: LogoutRequest): Promise<LogoutReply> {
    return this.revocations.logout(request);
  }

  @MessagePattern(RpcSubject.signOutDevice)
  signOutDevice(@Payload() request: SignOutDeviceRequest): Promise<RevocationAccepted> {
    return this.revocations.signOutDevice(request);
  }

  @MessagePattern(RpcSubject.revokeAllSessions)
  revokeAll(@Payload() request: RevokeAllSessionsRequest): Promise<RevocationAccepted> {
    return this.revocations.revokeAll(request);
  }
}
