import { ValidationError, ValidationPipe } from '@nestjs/common';
import { SignoffError } from '@signoff/contracts';

/** HTTP body/query validation: unknown fields rejected, types checked, one error code. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors: ValidationError[]) => {
      const fields = flatten(errors);
      return new SignoffError('VALIDATION_FAILED', `invalid fields: ${fields.join(', ')}`, { fields });
    },
  });
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    return e.children && e.children.length > 0 ? flatten(e.children, path) : [path];
  });
}
