import { LoginRequest } from '@signoff/contracts';
import { Account } from '../accounts/account.entity';
import { AccountStore } from '../accounts/account.store';
import { AuthConfig } from '../config/auth.config';
import { PasswordHasher } from '../credentials/password-hasher';
import { UnitOfWork } from '../outbox/unit-of-work';
import { RevocationsService } from '../revocations/revocations.service';
import { failureOf } from '../testing/coded-errors';
import { strictMock } from '../testing/strict-mock';
import { SignInAlertsService } from '../sign-in-alerts/sign-in-alerts.service';
import { TwoFactorService } from '../two-factor/two-factor.service';
import { AccessTokenIssuer } from '../tokens/access-token-issuer';
import { RefreshTokenStore } from '../tokens/refresh-token.store';
import { SessionStore } from './session.store';
import { SessionsService } from './sessions.service';

describe('SessionsService.login refusals', () => {
  const request: LoginRequest = {
    email: '  Viewer@Example.TEST ',
    password: 'a guess',
    device: { id: 'tv-1', type: 'tv', name: 'TV' },
  };
  const account: Account = { id: 'a1', email: 'viewer@example.test', passwordHash: '$argon2id$stored', plan: 'basic', epoch: 1, createdAt: new Date() };

  /** Only look-up and hashing are allowed: a refused login opens no transaction, mints nothing. */
  function serviceWith(found: Account | null, hasher: Partial<PasswordHasher>): { service: SessionsService; lookedUp: jest.Mock } {
    const lookedUp = jest.fn(async () => found);
    const service = new SessionsService(
      strictMock<AuthConfig>('config', {}),
      strictMock<UnitOfWork>('uow', {}),
      strictMock<AccountStore>('accounts', { findByEmail: lookedUp }),
      strictMock<SessionStore>('sessions', {}),
      strictMock<RefreshTokenStore>('refreshTokens', {}),
      strictMock<PasswordHasher>('hasher', hasher),
      strictMock<AccessTokenIssuer>('tokens', {}),
      strictMock<RevocationsService>('revocations', {}),
      strictMock<TwoFactorService>('twoFactor', {}),
      strictMock<SignInAlertsService>('signInAlerts', {}),
    );
    return { service, lookedUp };
  }

  it('spends a full password verification on an unknown email, then answers INVALID_CREDENTIALS', async () => {
    const verifyWithoutAccount = jest.fn(async (): Promise<false> => false);
    const { service, lookedUp } = serviceWith(null, { verifyWithoutAccount });
    await expect(service.login(request)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(lookedUp).toHaveBeenCalledWith('viewer@example.test');
    expect(verifyWithoutAccount).toHaveBeenCalledWith('a guess');
  });

  it('answers a wrong password with the same code and message as an unknown email', async () => {
    const verify = jest.fn(async () => false);
    const wrong = await failureOf(serviceWith(account, { verify }).service.login(request));
    expect(verify).toHaveBeenCalledWith('$argon2id$stored', 'a guess');
    const unknown = await failureOf(serviceWith(null, { verifyWithoutAccount: async (): Promise<false> => false }).service.login(request));
    expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS', message: unknown.message, details: unknown.details });
  });
});
