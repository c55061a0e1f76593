export * from './service-process';
export * from './stack';
export * from './ensure-database';
