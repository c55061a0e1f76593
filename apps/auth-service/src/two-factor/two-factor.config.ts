import { IsString, Matches } from 'class-validator';

/**
 * Settings of two-factor sign-in, read from the environment once by `loadConfig` (see
 * `two-factor.providers.ts`).
 */
export class TwoFactorConfig {
  /**
   * The application key that encrypts TOTP secrets at rest (AES-256-GCM) and keys the hashes of
   * recovery codes: 32 bytes as 64 hex digits or base64. Empty: a fixed development key, with a
   * loud warning at start. It lives outside the database, so a dump of the database alone yields
   * neither a secret nor a guessable recovery-code hash.
   */
  @IsString()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)?$/, { message: 'TOTP_SECRET_KEY must be 32 bytes as 64 hex digits or base64' })
  TOTP_SECRET_KEY = '';
}
