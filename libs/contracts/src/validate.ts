import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { SignoffError } from './errors';

type Constructor<T> = new () => T;

/**
 * Validates a plain payload against its contract class: unknown fields are rejected, types
 * checked. Used at every edge that is not an HTTP DTO (inbound events, RPC payloads).
 */
export function parsePayload<T extends object>(cls: Constructor<T>, payload: unknown): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new SignoffError('VALIDATION_FAILED', 'payload must be a JSON object');
  }
  const instance = plainToInstance(cls, payload);
  // `forbidUnknownValues: false` lets payload classes without fields (`{}`) validate; unknown
  // properties are still refused by `forbidNonWhitelisted`.
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false });
  if (errors.length > 0) {
    const fields = flattenFields(errors);
    throw new SignoffError('VALIDATION_FAILED', `invalid fields: ${fields.join(', ')}`, { fields });
  }
  return instance;
}

function flattenFields(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    return e.children && e.children.length > 0 ? flattenFields(e.children, path) : [path];
  });
}
