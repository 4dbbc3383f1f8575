/**
 * Downloads a feed document over http(s) with a conditional GET (RFC 9110 §13.1: If-None-Match with the last ETag,
 * If-Modified-Since with the last Last-Modified) and a byte limit enforced while streaming (a larger body is cut off,
 * never buffered whole). Failures are typed {@link FeedFetchError}s with a stable reason code.
 */
import type { FeedFailureReason } from '../api/v1alpha1/phishfeed.ts';

/** A failed download; `reason` is the PhishFeed Synced=False reason. */
export class FeedFetchError extends Error {
  readonly reason: FeedFailureReason;
  constructor(reason: FeedFailureReason, message: string) {
    super(message);
    this.name = 'FeedFetchError';
    this.reason = reason;
  }
}

export interface FetchRequest {
  url: string;
  /** ETag of the last fetched document (sent as If-None-Match). */
  etag?: string | undefined;
  /** Last-Modified of the last fetched document (sent as If-Modified-Since). */
  lastModified?: string | undefined;
  /** Extra request headers (credentials). */
  headers?: Record<string, string>;
  /** Largest body in bytes. */
  maxBytes: number;
  /** Whole request timeout, milliseconds. */
  timeoutMs: number;
}

export type FetchResult =
  | { kind: 'notModified' }
  | { kind: 'document'; body: string; bytes: number; etag?: string; lastModified?: string };

/**
 * GETs `req.url`. Redirects are followed (at most 20, fetch's default).
 * @returns `notModified` on 304, else the body decoded as UTF-8 with its validators
 * @throws FeedFetchError: `Unreachable` (DNS, connect, TLS, timeout), `HTTPError` (a status other than 2xx/304;
 *   401/403 are `CredentialsInvalid`), `TooLarge` (Content-Length or the streamed body beyond `maxBytes`)
 */
export async function fetchFeed(req: FetchRequest): Promise<FetchResult> {
  const headers: Record<string, string> = { 'user-agent': 'phishnet-operator', accept: '*/*', ...req.headers };
  if (req.etag) headers['if-none-match'] = req.etag;
  if (req.lastModified) headers['if-modified-since'] = req.lastModified;
  const signal = AbortSignal.timeout(req.timeoutMs);
  let res: Response;
  try {
    res = await fetch(req.url, { headers, signal, redirect: 'follow' });
  } catch (err) {
    throw new FeedFetchError('Unreachable', `GET ${hostOf(req.url)} failed: ${causeText(err)}`);
  }
  if (res.status === 304) {
    await res.body?.cancel();
    return { kind: 'notModified' };
  }
  if (res.status < 200 || res.status > 299) {
    await res.body?.cancel();
    const reason = res.status === 401 || res.status === 403 ? 'CredentialsInvalid' : 'HTTPError';
    throw new FeedFetchError(reason, `GET ${hostOf(req.url)} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > req.maxBytes) {
    await res.body?.cancel();
    throw new FeedFetchError('TooLarge', `document of ${declared} bytes exceeds maxBytes ${req.maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (bytes > req.maxBytes) {
          await reader.cancel();
          throw new FeedFetchError('TooLarge', `document exceeds maxBytes ${req.maxBytes} (cut off while streaming)`);
        }
        chunks.push(value);
      }
    }
  } catch (err) {
    if (err instanceof FeedFetchError) throw err;
    throw new FeedFetchError('Unreachable', `reading the body from ${hostOf(req.url)} failed: ${causeText(err)}`);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  const etag = res.headers.get('etag') ?? undefined;
  const lastModified = res.headers.get('last-modified') ?? undefined;
  return { kind: 'document', body, bytes, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

/** Credentials headers from a Secret's decoded data (see PhishFeed spec.credentialsSecretRef).
 * @throws FeedFetchError `CredentialsInvalid` when the Secret holds none of the supported key sets */
export function credentialHeaders(data: Record<string, string>): Record<string, string> {
  if (data.username !== undefined && data.password !== undefined) {
    return { authorization: `Basic ${Buffer.from(`${data.username}:${data.password}`).toString('base64')}` };
  }
  if (data.token !== undefined) return { authorization: `Bearer ${data.token.trim()}` };
  if (data.headerName !== undefined && data.headerValue !== undefined) return { [data.headerName.trim().toLowerCase()]: data.headerValue.trim() };
  throw new FeedFetchError('CredentialsInvalid', 'credentials Secret needs username+password, token, or headerName+headerValue');
}

/** The host of a URL for messages and logs (never the full URL: it may carry a token). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

function causeText(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
