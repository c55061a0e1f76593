import { Module } from '@nestjs/common';
import { TwoFactorHttpController } from './two-factor.http.controller';

@Module({ controllers: [TwoFactorHttpController] })
export class TwoFactorModule {}
