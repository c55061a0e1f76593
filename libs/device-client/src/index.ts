export * from './api-error';
export * from './token-store';
export * from './device-client';
