import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateAccountReply, CreateAccountRequest, GetMeRequest, MeReply, RpcSubject } from '@signoff/contracts';
import { AccountsService } from './accounts.service';

@Controller()
export class AccountsNatsController {
  constructor(private readonly accounts: AccountsService) {}

  @MessagePattern(RpcSubject.createAccount)
  create(@Payload() request: CreateAccountRequest): Promise<CreateAccountReply> {
    return this.accounts.create(request);
  }

  @MessagePattern(RpcSubject.getMe)
  me(@Payload() request: GetMeRequest): Promise<MeReply> {
    return this.accounts.me(request);
  }
}
