/**
 * The gateway's HTTP API as the extension calls it: `POST /api/check-url`, `POST /api/check-urls`,
 * `POST /api/hashes/search` (privacy mode) and `POST /api/reports`. Every call times out after
 * {@link CHECK_TIMEOUT_MS}; failures throw {@link GatewayError}. `fetchFn` is injectable for unit tests.
 */
import { CHECK_TIMEOUT_MS } from './backoff.ts';
import { REPORT_COMMENT_MAX } from '@phishnet/api/limits';
import type { Expected, UrlVerdict } from './types.ts';

/** Why a call failed: `network` (refused, DNS, CORS), `timeout`, `http` (non-2xx; `status` set), `invalid` (bad body). */
export type GatewayErrorKind = 'network' | 'timeout' | 'http' | 'invalid';

export class GatewayError extends Error {
  readonly kind: GatewayErrorKind;
  readonly status: number | undefined;
  /** Retry-After of a 429/503, seconds. */
  readonly retryAfterSeconds: number | undefined;
  constructor(kind: GatewayErrorKind, message: string, status?: number, retryAfterSeconds?: number) {
    super(message);
    this.name = 'GatewayError';
    this.kind = kind;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A list match of `POST /api/hashes/search`. */
export interface HashMatch { hash: string; list: string; kind: 'deny' | 'allow' }
export interface HashSearchResponse { matches: HashMatch[]; cacheTtlSeconds: number }

export interface GatewayClientOptions {
  baseUrl: string;
  apiKey?: string;
  timeoutMs?: number;
  fetchFn?: typeof fetch;
}

export class GatewayClient {
  private readonly base: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(opts: GatewayClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.apiKey = opts.apiKey ?? '';
    this.timeoutMs = opts.timeoutMs ?? CHECK_TIMEOUT_MS;
    this.fetchFn = opts.fetchFn ?? ((...a) => fetch(...a));
  }

  /**
   * Verdicts for `urls`, in order: one URL → `POST /api/check-url`, several → `POST /api/check-urls`.
   * @throws GatewayError
   */
  async check(urls: readonly string[]): Promise<UrlVerdict[]> {
    if (urls.length === 1) return [await this.post<UrlVerdict>('/api/check-url', { url: urls[0] })];
    const r = await this.post<{ verdicts: UrlVerdict[] }>('/api/check-urls', { urls });
    if (!Array.isArray(r.verdicts)) throw new GatewayError('invalid', 'check-urls answer has no verdicts array');
    return r.verdicts;
  }

  /**
   * List matches for 4-byte hash prefixes (8 lowercase hex characters each): `POST /api/hashes/search`.
   * @throws GatewayError
   */
  hashSearch(prefixes: readonly string[]): Promise<HashSearchResponse> {
    return this.post<HashSearchResponse>('/api/hashes/search', { prefixes });
  }

  /**
   * Reports a mistake: `POST /api/reports` (answered 202). `comment` is cut to {@link REPORT_COMMENT_MAX} characters.
   * @throws GatewayError
   */
  async report(url: string, expected: Expected, comment?: string): Promise<void> {
    const body: Record<string, string> = { url, expected };
    const c = comment?.trim();
    if (c) body.comment = c.slice(0, REPORT_COMMENT_MAX);
    await this.post<unknown>('/api/reports', body);
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.apiKey !== '') headers['x-api-key'] = this.apiKey;
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, {
        method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs),
        credentials: 'omit', cache: 'no-store',
      });
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new GatewayError('timeout', `no answer within ${this.timeoutMs} ms`);
      throw new GatewayError('network', `gateway unreachable: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const ra = Number(res.headers.get('retry-after'));
      let detail = '';
      try {
        const p = (await res.json()) as { detail?: string; title?: string };
        detail = p.detail ?? p.title ?? '';
      } catch {
        // not problem+json
      }
      throw new GatewayError('http', `gateway answered ${res.status}${detail ? `: ${detail}` : ''}`, res.status, Number.isFinite(ra) && ra > 0 ? ra : undefined);
    }
    if (res.status === 202 || res.status === 204) {
      await res.body?.cancel();
      return undefined as T;
    }
    try {
      return (await res.json()) as T;
    } catch {
      throw new GatewayError('invalid', 'gateway answer is not JSON');
    }
  }
}
