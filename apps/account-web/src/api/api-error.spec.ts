import { ApiError } from './api-error';

describe('ApiError', () => {
  it('names the fields a VALIDATION_FAILED refused, so a form can mark each one', () => {
    expect(new ApiError(400, 'VALIDATION_FAILED', 'invalid fields: newPassword').invalidFields).toEqual(['newPassword']);
    expect(new ApiError(400, 'VALIDATION_FAILED', 'invalid fields: token, newPassword').invalidFields).toEqual(['token', 'newPassword']);
    expect(new ApiError(400, 'VALIDATION_FAILED', 'the request could not be read').invalidFields).toEqual([]);
    expect(new ApiError(400, 'RESET_TOKEN_INVALID', 'invalid fields: token').invalidFields).toEqual([]);
  });
});
