export * from './snake-naming.strategy';
export * from './data-source.factory';
export * from './transaction-context';
export * from './errors';
