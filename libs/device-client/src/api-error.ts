import type { ErrorCode, ErrorEnvelope } from '@signoff/contracts';

/** A non-2xx answer from the gateway, with its error code and any logout directive. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'UNKNOWN',
    message: string,
    readonly logout?: { revocationId: string; purgeDownloads: true },
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static async from(response: Response): Promise<ApiError> {
    let body: Partial<ErrorEnvelope> = {};
    try {
      body = (await response.json()) as Partial<ErrorEnvelope>;
    } catch {
      // not JSON: keep the status alone
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    return new ApiError(
      response.status,
      body.error?.code ?? 'UNKNOWN',
      body.error?.message ?? `HTTP ${response.status}`,
      body.logout,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
}
