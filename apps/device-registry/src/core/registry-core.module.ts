import { DynamicModule, Global, Module } from '@nestjs/common';
import { Stream } from '@signoff/contracts';
import { createServiceDataSource, TransactionContext } from '@signoff/persistence';
import { PlatformModule } from '@signoff/platform';
import { DataSource } from 'typeorm';
import { RegistryConfig } from '../config/registry.config';
import { REGISTRY_MIGRATIONS, REGISTRY_SCHEMA } from '../migrations';
import { Database } from './database';

/**
 * The platform (Postgres, Redis for live state, NATS and the streams, readiness, shutdown order)
 * as the registry runs it, its config, and its SQL access, for every feature module.
 */
@Global()
@Module({})
export class RegistryCoreModule {
  static forRoot(config: RegistryConfig): DynamicModule {
    return {
      module: RegistryCoreModule,
      imports: [
        PlatformModule.forRoot({
          service: 'device-registry',
          settings: config,
          streams: [Stream.security, Stream.progress, Stream.parked],
          database: {
            open: (pool) => createServiceDataSource({ url: config.DATABASE_URL, schema: REGISTRY_SCHEMA, entities: [], migrations: REGISTRY_MIGRATIONS, ...pool }),
          },
          redis: true,
        }),
      ],
      providers: [
        { provide: RegistryConfig, useValue: config },
        { provide: Database, inject: [DataSource, TransactionContext], useFactory: (dataSource: DataSource, tx: TransactionContext) => new Database(dataSource, tx) },
      ],
      exports: [RegistryConfig, Database],
    };
  }
}
