import { ArrayMaxSize, IsArray, IsISO8601, IsString, Length } from 'class-validator';
import { EventBase } from './event-base';

/**
 * `security.keys.rotated.v1`: the set of published signing keys changed. Written when a new key
 * is created (published at once, signing from `activatesAt`) and when old keys are retired (no
 * longer published: every token they signed has expired). Verifiers reload the key set on it;
 * `kid` is the newest published key, `retiredKids` the keys withdrawn in the same change.
 */
export class KeysRotatedV1 extends EventBase {
  @IsString()
  @Length(1, 128)
  kid!: string;

  /** When `kid` starts signing (ISO 8601); already past for an event that only retires keys. */
  @IsISO8601({ strict: true })
  activatesAt!: string;

  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  retiredKids!: string[];
}
