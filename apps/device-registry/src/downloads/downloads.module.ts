import { Module } from '@nestjs/common';
import { DownloadsNatsController } from './downloads.nats.controller';
import { DownloadsService } from './downloads.service';

@Module({
  controllers: [DownloadsNatsController],
  providers: [DownloadsService],
  exports: [DownloadsService],
})
export class DownloadsModule {}
