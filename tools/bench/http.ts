import { sleep } from './pool';

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/**
 * One JSON call to a gateway with a timeout. Retries only what the contract says is temporary
 * (429 RATE_LIMITED, 503) a bounded number of times, honouring `Retry-After`; anything else
 * not expected is an error carrying the status and body, so a failed run says why.
 */
export async function callJson<T>(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; expect: number; timeoutMs?: number; retries?: number },
): Promise<T> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await response.text();
    if (response.status === options.expect) return (text ? JSON.parse(text) : undefined) as T;
    if ((response.status === 429 || response.status === 503) && attempt < retries) {
      const retryAfter = Number(response.headers.get('retry-after'));
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 5) * 1000 : 250 * 2 ** attempt);
      continue;
    }
    throw new Error(`${method} ${path} on ${baseUrl}: expected ${options.expect}, got ${response.status} ${text.slice(0, 300)}`);
  }
}
