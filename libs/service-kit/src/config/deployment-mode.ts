import { ValidateBy } from 'class-validator';

/**
 * `development` runs on public development values where a secret or a public address is not set
 * (what `npm start`, docker-compose and the tests use); anything else is a real deployment, which
 * must set them. The default is a real deployment: forgetting the variable fails closed.
 */
export const DEPLOYMENT_MODES = ['production', 'development'] as const;
export type DeploymentMode = (typeof DEPLOYMENT_MODES)[number];

/** 32 random bytes, as 64 hex digits or base64 (the format of every key setting). */
export const KEY_SETTING_PATTERN = /^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)?$/;

/** The bytes of a key setting (see `KEY_SETTING_PATTERN`). */
export function keyFromSetting(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

/**
 * A setting that has a development value (a public key, a local address): outside
 * `SIGNOFF_ENV=development` it must be set, and the service refuses to start without it.
 */
export function RequiredOutsideDevelopment(): PropertyDecorator {
  return ValidateBy({
    name: 'requiredOutsideDevelopment',
    validator: {
      validate: (value: unknown, args) => (args?.object as { SIGNOFF_ENV?: string }).SIGNOFF_ENV === 'development' || (typeof value === 'string' && value !== ''),
      defaultMessage: () => '$property must be set (only SIGNOFF_ENV=development runs without it, on a public development value)',
    },
  });
}
