import { Module } from '@nestjs/common';
import { RevocationFeed } from './revocation-feed.service';

@Module({
  providers: [RevocationFeed],
  exports: [RevocationFeed],
})
export class SecurityEventsModule {}
