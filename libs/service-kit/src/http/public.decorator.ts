import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'signoff:isPublic';

/** Opts a route out of the global token guard. Everything else is protected by default. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
