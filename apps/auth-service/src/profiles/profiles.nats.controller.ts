import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateProfileReply,
  CreateProfileRequest,
  DeleteProfileRequest,
  ListProfilesReply,
  ListProfilesRequest,
  ProfileChangedReply,
  RenameProfileRequest,
  RpcSubject,
  SelectProfileReply,
  SelectProfileRequest,
} from '@signoff/contracts';
import { ProfilesService } from './profiles.service';

@Controller()
export class ProfilesNatsController {
  constructor(private readonly profiles: ProfilesService) {}

  @MessagePattern(RpcSubject.listProfiles)
  list(@Payload() request: ListProfilesRequest): Promise<ListProfilesReply> {
    return this.profiles.list(request);
  }

  @MessagePattern(RpcSubject.createProfile)
  create(@Payload() request: CreateProfileRequest): Promise<CreateProfileReply> {
    return this.profiles.create(request);
  }

  @MessagePattern(RpcSubject.renameProfile)
  rename(@Payload() request: RenameProfileRequest): Promise<ProfileChangedReply> {
    return this.profiles.rename(request);
  }

  @MessagePattern(RpcSubject.deleteProfile)
  delete(@Payload() request: DeleteProfileRequest): Promise<ProfileChangedReply> {
    return this.profiles.delete(request);
  }

  @MessagePattern(RpcSubject.selectProfile)
  select(@Payload() request: SelectProfileRequest): Promise<SelectProfileReply> {
    return this.profiles.select(request);
  }
}
