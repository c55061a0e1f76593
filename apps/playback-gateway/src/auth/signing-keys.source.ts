import { PublicSigningKey, RpcSubject } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { SigningKeySource } from '@signoff/token-verification';

/** Public signing keys come from auth-service over NATS (no HTTP JWKS endpoint to expose). */
export class RpcSigningKeySource implements SigningKeySource {
  constructor(private readonly rpc: RpcClient) {}

  async fetchKeys(): Promise<PublicSigningKey[]> {
    return (await this.rpc.call(RpcSubject.listSigningKeys, {})).keys;
  }
}
