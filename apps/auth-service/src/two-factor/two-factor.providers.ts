import { Provider } from '@nestjs/common';
import { AuthConfig } from '../config/auth.config';
import { TwoFactorCrypto } from './two-factor-crypto';
import { TwoFactorService } from './two-factor.service';
import { TwoFactorStore } from './two-factor.store';

/** What two-factor sign-in adds to the composition root; its key is read (and checked) at start. */
export function twoFactorProviders(): Provider[] {
  return [{ provide: TwoFactorCrypto, inject: [AuthConfig], useFactory: (config: AuthConfig) => TwoFactorCrypto.fromConfig(config) }, TwoFactorStore, TwoFactorService];
}
