import { ApiError } from './api-error';
import { afterFailedAttempt, firstAttemptAfterClose, reconnectsAfterClose, STABLE_CHANNEL_MS } from './reconnect-policy';

describe('reconnect policy', () => {
  const connected = { wanted: true, signedIn: true, signedOut: false };

  describe('reconnectsAfterClose', () => {
    it.each([
      [1012, 'a draining gateway (service restart)'],
      [1006, 'a dropped connection (gateway died, network)'],
      [1001, 'a gateway going away'],
      [1011, 'a gateway error'],
      [1009, 'a frame the gateway found too large'],
    ])('reconnects after %i: %s', (code) => {
      expect(reconnectsAfterClose(code, connected)).toBe(true);
    });

    it('never reconnects after a sign-out (4001)', () => {
      expect(reconnectsAfterClose(4001, connected)).toBe(false);
    });

    it('does not reconnect on its own after being replaced by a newer channel of the session (4002): no fight over the place', () => {
      expect(reconnectsAfterClose(4002, connected)).toBe(false);
    });

    it('stays closed once signed out, without tokens, or after disconnect()', () => {
      expect(reconnectsAfterClose(1012, { ...connected, signedOut: true })).toBe(false);
      expect(reconnectsAfterClose(1012, { ...connected, signedIn: false })).toBe(false);
      expect(reconnectsAfterClose(1012, { ...connected, wanted: false })).toBe(false);
    });
  });

  describe('firstAttemptAfterClose', () => {
    it('starts afresh after a channel that stayed up', () => {
      expect(firstAttemptAfterClose(STABLE_CHANNEL_MS, 7)).toBe(0);
    });

    it('keeps backing off when channels drop as soon as they open', () => {
      expect(firstAttemptAfterClose(STABLE_CHANNEL_MS - 1, 7)).toBe(7);
      expect(firstAttemptAfterClose(0, 0)).toBe(0);
    });
  });

  describe('afterFailedAttempt', () => {
    const refused = (status: number, code: ApiError['code'] = 'UNKNOWN') => new ApiError(status, code, `HTTP ${status}`);

    it('refreshes the token once after a 401, then only retries', () => {
      expect(afterFailedAttempt(refused(401, 'TOKEN_EXPIRED'), false)).toBe('refresh-then-retry');
      expect(afterFailedAttempt(refused(401, 'TOKEN_INVALID'), true)).toBe('retry');
    });

    it('retries what may pass later: no answer, 503 from a draining gateway, 429, 5xx', () => {
      expect(afterFailedAttempt(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), false)).toBe('retry');
      expect(afterFailedAttempt(refused(503, 'DEPENDENCY_UNAVAILABLE'), false)).toBe('retry');
      expect(afterFailedAttempt(refused(503, 'REVOCATION_VIEW_STALE'), false)).toBe('retry');
      expect(afterFailedAttempt(refused(429, 'RATE_LIMITED'), false)).toBe('retry');
      expect(afterFailedAttempt(refused(500, 'INTERNAL_ERROR'), false)).toBe('retry');
    });

    it('gives up on a refusal that retrying cannot change', () => {
      expect(afterFailedAttempt(refused(403, 'TOKEN_INVALID'), false)).toBe('give-up');
      expect(afterFailedAttempt(refused(404, 'ROUTE_NOT_FOUND'), false)).toBe('give-up');
    });
  });
});
