import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { ListSigningKeysReply, RotateSigningKeysReply, RpcSubject } from '@signoff/contracts';
import { SigningKeyRotation } from './signing-key-rotation.service';
import { SigningKeysService } from './signing-keys.service';

/**
 * The requests (`ListSigningKeysRequest`, `RotateSigningKeysRequest`) are empty and nothing of
 * them is read, so they are not bound: `parsePayload` refuses any class without validation
 * rules (class-validator's `forbidUnknownValues`), even for `{}`.
 */
@Controller()
export class SigningKeysNatsController {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly rotation: SigningKeyRotation,
  ) {}

  /** The JWKS verifiers (gateways) load: public halves only, including a key not signing yet. */
  @MessagePattern(RpcSubject.listSigningKeys)
  list(): Promise<ListSigningKeysReply> {
    return this.keys.list();
  }

  /** An operator's rotation (no HTTP route): the new key signs after the publish lead. */
  @MessagePattern(RpcSubject.rotateSigningKeys)
  rotate(): Promise<RotateSigningKeysReply> {
    return this.rotation.rotateNow();
  }
}
