/**
 * Checks one navigation URL: the verdict cache, then (privacy mode) the lists by hash prefix, then the gateway's
 * model through the batcher; behind a {@link Backoff} that fails open. No browser API: the service worker wires it to
 * `chrome.*`, unit tests to a fake `fetch` and a clock.
 */
import { Backoff } from './backoff.ts';
import { Batcher } from './batcher.ts';
import { VerdictCache, cacheKey } from './cache.ts';
import { GatewayClient, GatewayError } from './gateway.ts';
import { decideByHashes, urlHashes } from './privacy.ts';
import type { Settings, TabStatus, UrlVerdict } from './types.ts';

/** The outcome of one check. */
export interface CheckResult {
  status: Exclude<TabStatus, 'checking' | 'allowed'>;
  verdict?: UrlVerdict;
  /** Plain-words cause of `unchecked` / `not-listed`. */
  detail?: string;
}

/** The tab status a verdict gives. */
function statusOf(v: UrlVerdict): 'safe' | 'suspicious' | 'phishing' {
  return v.verdict === 'legitimate' ? 'safe' : v.verdict;
}

export interface CheckerOptions {
  settings: Settings;
  /** Epoch ms (default Date.now). */
  now?: () => number;
  fetchFn?: typeof fetch;
  /** Batch window, ms (default BATCH_WINDOW_MS). */
  batchWindowMs?: number;
}

export class Checker {
  readonly cache = new VerdictCache();
  readonly backoff = new Backoff();
  private settings: Settings;
  private client: GatewayClient;
  private batcher: Batcher<UrlVerdict>;
  private readonly now: () => number;
  private readonly fetchFn: typeof fetch | undefined;
  private readonly batchWindowMs: number | undefined;

  constructor(opts: CheckerOptions) {
    this.now = opts.now ?? Date.now;
    this.fetchFn = opts.fetchFn;
    this.batchWindowMs = opts.batchWindowMs;
    this.settings = opts.settings;
    this.client = this.makeClient();
    this.batcher = this.makeBatcher();
  }

  /** Applies new settings: a new gateway client; cached verdicts and the backoff start afresh. */
  configure(settings: Settings): void {
    this.settings = settings;
    this.client = this.makeClient();
    this.batcher = this.makeBatcher();
    this.cache.clear();
    this.backoff.success();
  }

  /** The gateway client of the current settings (reports go through it too). */
  get gateway(): GatewayClient {
    return this.client;
  }

  /** Checks `url`; never throws (failures give `unchecked`). */
  async check(url: string): Promise<CheckResult> {
    const key = cacheKey(url);
    if (key === null) return { status: 'ignored' };
    if (this.isGateway(key)) return { status: 'ignored' };
    const cached = this.cache.get(key, this.now());
    if (cached) return { status: statusOf(cached), verdict: cached };
    if (!this.backoff.allowed(this.now())) {
      return { status: 'unchecked', detail: `the gateway failed repeatedly; checks resume at ${new Date(this.backoff.backingOffUntil).toISOString()}` };
    }
    try {
      if (this.settings.privacyMode) {
        const listed = await this.checkLists(key);
        if (listed) return listed;
        if (!this.settings.privacySendToModel) {
          return { status: 'not-listed', detail: 'privacy mode: on no list; the URL was not sent to the model' };
        }
      }
      const v = await this.batcher.check(key);
      this.backoff.success();
      this.cache.set(key, v, this.now());
      return { status: statusOf(v), verdict: v };
    } catch (err) {
      return this.failed(err);
    }
  }

  /** Privacy mode's list step: a verdict from a deny/allow match, or null when no full hash is listed. */
  private async checkLists(key: string): Promise<CheckResult | null> {
    const { hashes, prefixes } = await urlHashes(key);
    if (prefixes.length === 0) return null;
    const r = await this.client.hashSearch(prefixes);
    this.backoff.success();
    const m = decideByHashes(hashes, Array.isArray(r.matches) ? r.matches : []);
    if (!m) return null;
    const deny = m.kind === 'deny';
    const v: UrlVerdict = {
      canonicalUrl: key, verdict: deny ? 'phishing' : 'legitimate', score: deny ? 1 : 0,
      reasons: [deny ? 'KNOWN_PHISHING' : 'ALLOWLISTED'], cacheTtlSeconds: r.cacheTtlSeconds,
      source: { kind: 'list', list: m.list },
    };
    this.cache.set(key, v, this.now());
    return { status: statusOf(v), verdict: v };
  }

  private failed(err: unknown): CheckResult {
    if (!(err instanceof GatewayError)) return { status: 'unchecked', detail: `check failed: ${(err as Error).message}` };
    // A 4xx other than 429 is about this request (bad URL, bad key), not the gateway's health: no backoff.
    const clientError = err.kind === 'http' && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429;
    if (!clientError) this.backoff.failure(this.now(), err.retryAfterSeconds);
    return { status: 'unchecked', detail: err.message };
  }

  /** Navigations to the gateway itself are not checked. */
  private isGateway(key: string): boolean {
    try {
      return new URL(key).origin === new URL(this.settings.gatewayUrl).origin;
    } catch {
      return false;
    }
  }

  private makeClient(): GatewayClient {
    return new GatewayClient({
      baseUrl: this.settings.gatewayUrl, apiKey: this.settings.apiKey,
      ...(this.fetchFn ? { fetchFn: this.fetchFn } : {}),
    });
  }

  private makeBatcher(): Batcher<UrlVerdict> {
    const client = this.client;
    return new Batcher((urls) => client.check(urls), this.batchWindowMs !== undefined ? { windowMs: this.batchWindowMs } : {});
  }
}
