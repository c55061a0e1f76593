export * from './test-servers';
export * from './test-database';
export * from './namespace';
export * from './expect-eventually';
export * from './free-port';
export * from './child-servers';
export * from './tcp-proxy';
export * from './smtp-sink';
