import { Module } from '@nestjs/common';
import { ProfilesHttpController } from './profiles.http.controller';

@Module({ controllers: [ProfilesHttpController] })
export class ProfilesModule {}
