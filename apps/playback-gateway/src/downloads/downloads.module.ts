import { Module } from '@nestjs/common';
import { DownloadsHttpController } from './downloads.http.controller';

@Module({ controllers: [DownloadsHttpController] })
export class DownloadsModule {}
