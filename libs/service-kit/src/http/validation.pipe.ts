import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { assertInputRules, flattenFields, SignoffError } from '@signoff/contracts';

/**
 * HTTP body, query and path-parameter validation: first the rules every request keeps (nesting
 * capped, strings without control characters or lone surrogates: `assertInputRules`), whatever
 * the parameter's type, so a route without a DTO class keeps them too; then the DTO's contract
 * (unknown fields rejected, types checked). Every refusal is `VALIDATION_FAILED` naming fields.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors: ValidationError[]) => {
        const fields = flattenFields(errors);
        return new SignoffError('VALIDATION_FAILED', `invalid fields: ${fields.join(', ')}`, { fields });
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') assertInputRules(value);
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe();
}
