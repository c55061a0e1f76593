import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { SignoffError } from './errors';

type Constructor<T> = new () => T;

export interface ParseOptions {
  /**
   * `reject` (requests: a caller's typo is an error it should hear about) or `ignore` (events:
   * a newer producer may add fields during a rolling upgrade, and an older consumer must still
   * apply what it knows). Ignored fields are dropped, never passed on.
   */
  unknownFields: 'reject' | 'ignore';
}

/**
 * Validates a plain payload against its contract class: types checked, unknown fields rejected
 * (or, for events, dropped). Used at every edge that is not an HTTP DTO.
 */
export function parsePayload<T extends object>(cls: Constructor<T>, payload: unknown, options: ParseOptions = { unknownFields: 'reject' }): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new SignoffError('VALIDATION_FAILED', 'payload must be a JSON object');
  }
  const instance = plainToInstance(cls, payload);
  // `forbidUnknownValues: false` lets payload classes without fields (`{}`) validate; unknown
  // properties are still refused by `forbidNonWhitelisted`.
  const forbidNonWhitelisted = options.unknownFields === 'reject';
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted, forbidUnknownValues: false });
  if (errors.length > 0) {
    const fields = flattenFields(errors);
    throw new SignoffError('VALIDATION_FAILED', `invalid fields: ${fields.join(', ')}`, { fields });
  }
  return instance;
}

/** An event's payload: the known fields validated, fields added by a newer producer dropped. */
export function parseEvent<T extends object>(cls: Constructor<T>, payload: unknown): T {
  return parsePayload(cls, payload, { unknownFields: 'ignore' });
}

function flattenFields(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    return e.children && e.children.length > 0 ? flattenFields(e.children, path) : [path];
  });
}
