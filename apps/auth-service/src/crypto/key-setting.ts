import { Logger } from '@nestjs/common';
import { keyFromSetting } from '@signoff/service-kit';
import { createHash } from 'node:crypto';

/**
 * The 32 bytes of a key setting. Empty is only possible with `SIGNOFF_ENV=development` (config
 * validation refuses it elsewhere): then a public development key, named after the setting, and a
 * loud warning.
 */
export function keyOf(name: string, value: string, logger: Pick<Logger, 'warn'> = new Logger('Keys')): Buffer {
  if (value !== '') return keyFromSetting(value);
  logger.warn(`!!! ${name} is not set: using a PUBLIC DEVELOPMENT KEY (SIGNOFF_ENV=development). Never run real accounts like this. !!!`);
  return createHash('sha256').update(`signoff development key for ${name} - never use in production`).digest();
}
