import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { INPUT_LIMITS } from './domain';
import { SignoffError } from './errors';
import { assertInputRules, REQUEST_INPUT } from './input-rules';

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
 * Validates a plain payload against its contract class: nesting capped and the text rules kept
 * (input-rules.ts), types checked, unknown fields rejected (or, for events, dropped). Used at
 * every edge that is not an HTTP DTO.
 *
 * Events (`unknownFields: 'ignore'`) are read as their producer wrote them: the depth cap holds,
 * but the text rules are not applied (the request that carried a device name was checked when it
 * arrived, and an event recorded before these rules must still be read), and a `null` field
 * counts as absent (an older auth-service passed `os: null` from a sign-in into the event).
 */
export function parsePayload<T extends object>(cls: Constructor<T>, payload: unknown, options: ParseOptions = { unknownFields: 'reject' }): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new SignoffError('VALIDATION_FAILED', 'payload must be a JSON object');
  }
  const request = options.unknownFields === 'reject';
  assertInputRules(payload, request ? REQUEST_INPUT : { maxDepth: INPUT_LIMITS.jsonMaxDepth, text: false });
  const instance = plainToInstance(cls, request ? payload : withoutNulls(payload));
  // `forbidUnknownValues: false` lets payload classes without fields (`{}`) validate; unknown
  // properties are still refused by `forbidNonWhitelisted`.
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: request, forbidUnknownValues: false });
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

/** What `flattenFields` reads of a class-validator error (Nest re-declares the type). */
export interface FieldError {
  property: string;
  children?: FieldError[];
}

/** The fields of every error, nested ones as `device.name`. */
export function flattenFields(errors: ReadonlyArray<FieldError>, parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    return e.children && e.children.length > 0 ? flattenFields(e.children, path) : [path];
  });
}

/** A copy without the object properties that are `null` (depth already capped); arrays keep their elements. */
function withoutNulls(value: object): object {
  if (Array.isArray(value)) return value.map((element: unknown) => (typeof element === 'object' && element !== null ? withoutNulls(element) : element));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null) continue;
    // defineProperty: a `__proto__` key stays a plain field instead of replacing the prototype.
    Object.defineProperty(copy, key, { value: typeof field === 'object' ? withoutNulls(field) : field, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}
