import { ErrorCode, SignoffError } from '@signoff/contracts';

/** Awaits a call that must fail with a coded error and returns that error. */
export async function failureOf(call: Promise<unknown>): Promise<SignoffError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof SignoffError) return error;
    throw error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Awaits a call that must fail with this code and returns the error for further checks. */
export async function expectCode(call: Promise<unknown>, code: ErrorCode): Promise<SignoffError> {
  const error = await failureOf(call);
  expect(error.code).toBe(code);
  return error;
}
