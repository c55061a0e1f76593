import { Module } from '@nestjs/common';
import { PasswordResetHttpController } from './password-reset.http.controller';

@Module({ controllers: [PasswordResetHttpController] })
export class PasswordResetModule {}
