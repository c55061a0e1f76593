import { Module } from '@nestjs/common';
import { SignInAlertsHttpController } from './sign-in-alerts.http.controller';

@Module({ controllers: [SignInAlertsHttpController] })
export class SignInAlertsModule {}
