import { Module } from '@nestjs/common';
import { SecurityEventsModule } from '../security-events/security-events.module';
import { PlaybackHttpController } from './playback.http.controller';
import { PlaybackService } from './playback.service';

@Module({
  imports: [SecurityEventsModule],
  controllers: [PlaybackHttpController],
  providers: [PlaybackService],
})
export class PlaybackModule {}
