import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { ListSigningKeysReply, RpcSubject } from '@signoff/contracts';
import { SigningKeysService } from './signing-keys.service';

@Controller()
export class SigningKeysNatsController {
  constructor(private readonly keys: SigningKeysService) {}

  /**
   * The JWKS verifiers (gateways) load: public halves only. The request (`ListSigningKeysRequest`)
   * is empty and nothing of it is read, so it is not bound: `parsePayload` refuses any class
   * without validation rules (class-validator's `forbidUnknownValues`), even for `{}`.
   */
  @MessagePattern(RpcSubject.listSigningKeys)
  list(): Promise<ListSigningKeysReply> {
    return this.keys.list();
  }
}
