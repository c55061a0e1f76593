import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { CreateProfileReply, ListProfilesReply, Principal, RpcSubject, SelectProfileReply, SignoffError } from '@signoff/contracts';
import { RpcClient } from '@signoff/service-kit';
import { AccountManagement } from '../auth/account-management.decorator';
import { CurrentPrincipal, sessionRefOf } from '../auth/current-principal.decorator';
import { RPC_CLIENT } from '@signoff/platform';
import { CreateProfileBody, RenameProfileBody } from './profiles.dto';

const profileIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new SignoffError('VALIDATION_FAILED', 'profileId must be a UUID') });

/**
 * Profiles ("who's watching?"). Listing and selecting are for every profile, kids included (a
 * device switches between them); creating, renaming and deleting are account management.
 * Selecting a grown-up profile from a kids one needs `X-Reauth-Token` (step-up).
 */
@Controller('v1/profiles')
export class ProfilesHttpController {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal): Promise<ListProfilesReply> {
    return this.rpc.call(RpcSubject.listProfiles, sessionRefOf(principal));
  }

  @AccountManagement()
  @Post()
  @HttpCode(201)
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateProfileBody): Promise<CreateProfileReply> {
    return this.rpc.call(RpcSubject.createProfile, { ...sessionRefOf(principal), name: body.name, kids: body.kids ?? false });
  }

  @AccountManagement()
  @Patch(':profileId')
  @HttpCode(204)
  async rename(@CurrentPrincipal() principal: Principal, @Param('profileId', profileIdPipe) profileId: string, @Body() body: RenameProfileBody): Promise<void> {
    await this.rpc.call(RpcSubject.renameProfile, { ...sessionRefOf(principal), profileId, name: body.name });
  }

  @AccountManagement()
  @Delete(':profileId')
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @Param('profileId', profileIdPipe) profileId: string): Promise<void> {
    await this.rpc.call(RpcSubject.deleteProfile, { ...sessionRefOf(principal), profileId });
  }

  /** 200 with a new access token carrying the profile (the refresh token stays as it is). */
  @Post(':profileId/select')
  @HttpCode(200)
  select(
    @CurrentPrincipal() principal: Principal,
    @Param('profileId', profileIdPipe) profileId: string,
    @Headers('x-reauth-token') reauthToken: string | undefined,
  ): Promise<SelectProfileReply> {
    if (reauthToken !== undefined && (reauthToken.length === 0 || reauthToken.length > 512)) {
      throw new SignoffError('VALIDATION_FAILED', 'X-Reauth-Token is not a reauth token');
    }
    return this.rpc.call(RpcSubject.selectProfile, { ...sessionRefOf(principal), profileId, ...(reauthToken ? { reauthToken } : {}) });
  }
}
