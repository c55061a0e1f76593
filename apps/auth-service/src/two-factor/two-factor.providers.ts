import { Provider } from '@nestjs/common';
import { loadConfig } from '@signoff/service-kit';
import { TwoFactorConfig } from './two-factor.config';
import { TwoFactorCrypto } from './two-factor-crypto';
import { TwoFactorService } from './two-factor.service';
import { TwoFactorStore } from './two-factor.store';

/** What two-factor sign-in adds to the composition root; its key is read (and checked) at start. */
export function twoFactorProviders(): Provider[] {
  return [{ provide: TwoFactorCrypto, useFactory: () => TwoFactorCrypto.fromConfig(loadConfig(TwoFactorConfig)) }, TwoFactorStore, TwoFactorService];
}
