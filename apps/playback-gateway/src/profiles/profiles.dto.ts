import { PickType } from '@nestjs/swagger';
import { CreateProfileRequest, RenameProfileRequest } from '@signoff/contracts';

/** HTTP bodies of the profile routes, cut from the RPC contracts (one definition of each limit). */
export class CreateProfileBody extends PickType(CreateProfileRequest, ['name', 'kids'] as const) {}

export class RenameProfileBody extends PickType(RenameProfileRequest, ['name'] as const) {}
