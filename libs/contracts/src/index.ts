// class-transformer's @Type reads design metadata; load the polyfill wherever contracts load.
import 'reflect-metadata';
export * from './subjects';
export * from './domain';
export * from './errors';
export * from './token-policy';
export * from './events/event-base';
export * from './events/device-descriptor';
export * from './events/revocation-event';
export * from './events/session-started.v1';
export * from './events/session-revoked.v1';
export * from './events/account-epoch-bumped.v1';
export * from './events/device-progress.v1';
export * from './events/device-activity.v1';
export * from './events/event-map';
export * from './rpc/auth.rpc';
export * from './rpc/devices.rpc';
export * from './rpc/rpc-map';
export * from './validate';
