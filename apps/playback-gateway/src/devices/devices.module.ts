import { Module } from '@nestjs/common';
import { DevicesHttpController } from './devices.http.controller';

@Module({ controllers: [DevicesHttpController] })
export class DevicesModule {}
