import { ArgumentMetadata } from '@nestjs/common';
import { LoginRequest, SignoffError } from '@signoff/contracts';
import { createValidationPipe } from './validation.pipe';

const pipe = createValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });
const login = { email: 'viewer@example.test', password: 'long-enough-pw', device: { id: 'tv', type: 'tv', name: 'TV' } };

async function refusal(value: unknown, metadata: ArgumentMetadata): Promise<SignoffError> {
  try {
    await pipe.transform(value, metadata);
  } catch (error) {
    if (error instanceof SignoffError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the HTTP validation pipe', () => {
  it('passes a valid body through as its contract class', async () => {
    await expect(pipe.transform(login, body(LoginRequest))).resolves.toBeInstanceOf(LoginRequest);
  });

  it('refuses contract violations with VALIDATION_FAILED naming the fields', async () => {
    const error = await refusal({ ...login, device: [], otpCode: null }, body(LoginRequest));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.fields).toEqual(['device', 'otpCode']);
  });

  it('applies the text rules before the contract', async () => {
    const error = await refusal({ ...login, device: { ...login.device, name: 'T\u0000V' } }, body(LoginRequest));
    expect(error.details.fields).toEqual(['device.name']);
  });

  it('applies them to queries and path parameters without a class too', async () => {
    expect((await refusal({ cursor: 'abc\uD800' }, { type: 'query', metatype: Object })).details.fields).toEqual(['cursor']);
    expect((await refusal('tv\u0000', { type: 'param', metatype: String, data: 'deviceId' })).code).toBe('VALIDATION_FAILED');
    await expect(pipe.transform({ cursor: 'abc' }, { type: 'query', metatype: Object })).resolves.toEqual({ cursor: 'abc' });
  });

  it('refuses a body nested deeper than the cap instead of overflowing the stack', async () => {
    const deep = JSON.parse('['.repeat(5_000) + ']'.repeat(5_000)) as unknown;
    expect((await refusal({ ...login, device: deep }, body(LoginRequest))).code).toBe('VALIDATION_FAILED');
  });

  it('leaves custom parameters (the principal) alone', async () => {
    const principal = { accountId: 'a\u0000' };
    await expect(pipe.transform(principal, { type: 'custom', metatype: Object })).resolves.toBe(principal);
  });
});
