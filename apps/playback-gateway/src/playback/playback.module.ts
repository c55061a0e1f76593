import { Module } from '@nestjs/common';
import { loadConfig } from '@signoff/service-kit';
import { SecurityEventsModule } from '../security-events/security-events.module';
import { PlaybackConfig } from './playback.config';
import { PlaybackHttpController } from './playback.http.controller';
import { PlaybackService } from './playback.service';

@Module({
  imports: [SecurityEventsModule],
  controllers: [PlaybackHttpController],
  providers: [{ provide: PlaybackConfig, useFactory: () => loadConfig(PlaybackConfig) }, PlaybackService],
})
export class PlaybackModule {}
