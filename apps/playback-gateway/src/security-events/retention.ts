import { TOKEN_POLICY } from '@signoff/contracts';

/**
 * How long a revocation must be remembered: until every token it concerns has expired (TTL
 * plus clock tolerance), with a minute's margin for clock skew between hosts. It is also how
 * far back a starting gateway replays the SECURITY stream.
 */
export function revocationRetentionMs(accessTokenTtlSeconds: number): number {
  return (accessTokenTtlSeconds + TOKEN_POLICY.clockToleranceSeconds + 60) * 1000;
}
