import { Module } from '@nestjs/common';
import { AccountHttpController } from './account.http.controller';

@Module({ controllers: [AccountHttpController] })
export class AccountModule {}
