import { SetMetadata } from '@nestjs/common';

export const IS_ACCOUNT_MANAGEMENT = 'signoff:accountManagement';

/**
 * Marks a route (or every route of a controller) as managing the account: devices, sign-outs,
 * password, two-factor, profiles. `AccessTokenGuard` refuses it to a session watching as a kids
 * profile with 403 `PROFILE_NOT_ALLOWED`, before the handler runs.
 */
export const AccountManagement = (): MethodDecorator & ClassDecorator => SetMetadata(IS_ACCOUNT_MANAGEMENT, true);
