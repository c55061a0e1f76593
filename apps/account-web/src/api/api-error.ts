import { SESSION_ENDING_ERRORS } from '@signoff/contracts';

/** An error the API answered (`{error:{code,message}}`), or a network failure (`code` NETWORK). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { attemptsLeft?: number; retryAfterSeconds?: number | null; logout?: { revocationId: string } } = {},
  ) {
    super(message);
  }

  /** The request fields the API refused (`VALIDATION_FAILED`: "invalid fields: a, b"). */
  get invalidFields(): string[] {
    if (this.code !== 'VALIDATION_FAILED') return [];
    const match = /invalid fields: (.+)$/.exec(this.message);
    return match ? match[1].split(',').map((field) => field.trim()) : [];
  }

  /** The session behind this page is over: sign in again. */
  get endsSession(): boolean {
    return SESSION_ENDING_ERRORS.includes(this.code);
  }
}

export async function apiErrorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; attemptsLeft?: number }; logout?: { revocationId: string } } | null;
  const retryAfter = response.headers.get('retry-after');
  return new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? response.statusText, {
    attemptsLeft: body?.error?.attemptsLeft,
    retryAfterSeconds: retryAfter ? Number(retryAfter) : null,
    logout: body?.logout,
  });
}
