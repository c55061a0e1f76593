export * from './platform.module';
export * from './platform-options';
export * from './tokens';
export * from './redis';
