import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { DevicePlaybackState, Principal, SignoffError } from '@signoff/contracts';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { HeartbeatBody, StartPlaybackBody } from './playback.dto';
import { PlaybackService } from './playback.service';

@Controller('v1/playback/sessions')
export class PlaybackHttpController {
  constructor(private readonly playback: PlaybackService) {}

  @Post()
  @HttpCode(201)
  start(@CurrentPrincipal() principal: Principal, @Body() body: StartPlaybackBody): Promise<{ playbackId: string }> {
    return this.playback.start(principal, body.titleId, body.profileId);
  }

  @Post(':playbackId/heartbeat')
  @HttpCode(200)
  heartbeat(
    @CurrentPrincipal() principal: Principal,
    @Param('playbackId', new ParseUUIDPipe({ exceptionFactory: () => new SignoffError('PLAYBACK_NOT_FOUND', 'no such playback') }))
    playbackId: string,
    @Body() body: HeartbeatBody,
  ): Promise<DevicePlaybackState> {
    return this.playback.heartbeat(principal, playbackId, body.positionMs, body.state);
  }
}
