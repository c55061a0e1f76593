import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { DownloadsModule } from '../downloads/downloads.module';
import { RevocationProgressNatsController } from './revocation-progress.nats.controller';
import { RevocationProgressService } from './revocation-progress.service';

@Module({
  imports: [DevicesModule, DownloadsModule],
  controllers: [RevocationProgressNatsController],
  providers: [RevocationProgressService],
  exports: [RevocationProgressService],
})
export class RevocationProgressModule {}
