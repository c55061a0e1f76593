import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { RevocationProgressNatsController } from './revocation-progress.nats.controller';
import { RevocationProgressService } from './revocation-progress.service';

@Module({
  imports: [DevicesModule],
  controllers: [RevocationProgressNatsController],
  providers: [RevocationProgressService],
  exports: [RevocationProgressService],
})
export class RevocationProgressModule {}
