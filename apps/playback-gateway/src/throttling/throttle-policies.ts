import { GatewayConfig } from '../config/gateway.config';

/**
 * What a policy counts: `failures` (every attempt takes a point up front, so parallel guesses
 * cannot overshoot, and a success hands its point back) or `attempts` (every admitted request
 * keeps its point, successful or not).
 */
export type Counting = 'failures' | 'attempts';

export interface ThrottlePolicy {
  /** Names the policy in Redis keys (`throttle:<name>:<subject>`) and in logs. */
  readonly name: string;
  /** Attempts allowed per subject per window; the next one is refused with 429. */
  readonly points: number;
  /** Fixed window: it starts with the subject's first counted attempt. */
  readonly windowSeconds: number;
  readonly counts: Counting;
}

export const THROTTLE_POLICY_NAMES = [
  'loginAccount',
  'loginAddress',
  'stepUpSession',
  'stepUpEmailCodeAccount',
  'signUpAddress',
  'resetEmail',
  'resetAddress',
  'linkTokenAddress',
] as const;
export type ThrottlePolicyName = (typeof THROTTLE_POLICY_NAMES)[number];

/** The policies and their numbers; docs/security.md "Throttling" explains each one. */
export function throttlePolicies(config: GatewayConfig): Record<ThrottlePolicyName, ThrottlePolicy> {
  return {
    loginAccount: { name: 'login:account', points: config.THROTTLE_LOGIN_PER_ACCOUNT, windowSeconds: config.THROTTLE_LOGIN_WINDOW_SECONDS, counts: 'failures' },
    loginAddress: { name: 'login:address', points: config.THROTTLE_LOGIN_PER_ADDRESS, windowSeconds: config.THROTTLE_LOGIN_WINDOW_SECONDS, counts: 'failures' },
    stepUpSession: { name: 'step-up:session', points: config.THROTTLE_STEP_UP_PER_SESSION, windowSeconds: config.THROTTLE_STEP_UP_WINDOW_SECONDS, counts: 'failures' },
    stepUpEmailCodeAccount: {
      name: 'step-up-email-code:account',
      points: config.THROTTLE_STEP_UP_EMAIL_CODES_PER_ACCOUNT,
      windowSeconds: config.THROTTLE_STEP_UP_WINDOW_SECONDS,
      counts: 'attempts',
    },
    signUpAddress: { name: 'sign-up:address', points: config.THROTTLE_SIGN_UP_PER_ADDRESS, windowSeconds: config.THROTTLE_SIGN_UP_WINDOW_SECONDS, counts: 'attempts' },
    resetEmail: { name: 'reset:email', points: config.THROTTLE_RESET_PER_EMAIL, windowSeconds: config.THROTTLE_RESET_WINDOW_SECONDS, counts: 'attempts' },
    resetAddress: { name: 'reset:address', points: config.THROTTLE_RESET_PER_ADDRESS, windowSeconds: config.THROTTLE_RESET_WINDOW_SECONDS, counts: 'attempts' },
    linkTokenAddress: { name: 'link-token:address', points: config.THROTTLE_LINK_TOKEN_PER_ADDRESS, windowSeconds: config.THROTTLE_LINK_TOKEN_WINDOW_SECONDS, counts: 'failures' },
  };
}
