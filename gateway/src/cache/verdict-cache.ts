/**
 * Two-tier verdict cache: in-process LRU (L1, lru-cache) in front of an optional shared L2 (Redis).
 *
 * - Entries outlive their TTL by `staleSeconds`: past `expiresAt` they are *stale* and only served when inference
 *   fails. L1 has no lru-cache TTL for that reason (size-bounded only); L2 entries expire in Redis at TTL + stale.
 * - Without Redis configured, the embedded cache is L1 only (per replica, lost on restart).
 * - L2 failures are counted (`cache_lookups_total{tier="l2",result="error"}`) and treated as misses.
 * - The current model digest (part of every key) is learned from inference responses; the last known one is kept
 *   here and in Redis so a restarted gateway can serve cached verdicts before inference answers again.
 */
import { LRUCache } from 'lru-cache';
import type { CounterCell, GatewayMetrics } from '../metrics/metrics.ts';
import { freshness, type StoredVerdict } from '../domain/verdict.ts';
import { inSpan } from '../tracing.ts';
import type { L2Store, RedisState } from './redis-l2.ts';

/** The one (frozen) miss result; lookups share it instead of allocating one per key. */
export const MISS: Lookup = Object.freeze({ state: 'miss' });

/** Result of a lookup for one key. */
export type Lookup = { state: 'fresh' | 'stale'; entry: StoredVerdict; tier: 'l1' | 'l2' } | { state: 'miss' };

export class VerdictCache {
  readonly #l1: LRUCache<string, StoredVerdict>;
  readonly #l2: L2Store | null;
  readonly #metrics: GatewayMetrics;
  readonly #staleMs: number;
  readonly #l1Cells: { hit: CounterCell; miss: CounterCell; stale: CounterCell };
  #lastDigest: string | null = null;

  /**
   * @param l1Max L1 entries
   * @param staleSeconds how long past its TTL an entry is kept for stale serving, seconds
   */
  constructor(opts: { l1Max: number; l2: L2Store | null; metrics: GatewayMetrics; staleSeconds: number }) {
    this.#l1 = new LRUCache({ max: opts.l1Max });
    this.#l2 = opts.l2;
    this.#metrics = opts.metrics;
    this.#staleMs = opts.staleSeconds * 1000;
    const c = opts.metrics.cacheLookups;
    this.#l1Cells = { hit: c.cell({ tier: 'l1', result: 'hit' }), miss: c.cell({ tier: 'l1', result: 'miss' }), stale: c.cell({ tier: 'l1', result: 'stale' }) };
  }

  /** Redis state for /readyz and metrics. */
  l2State(): RedisState {
    return this.#l2 === null ? 'disabled' : this.#l2.state();
  }

  /** Last model digest learned from inference (this process or, via Redis, another replica); null if none yet. */
  async lastDigest(): Promise<string | null> {
    if (this.#lastDigest === null && this.#l2 !== null) {
      try {
        this.#lastDigest = await this.#l2.getLastDigest();
      } catch {
        // Redis down: no digest yet, lookups miss until inference answers.
        this.#metrics.redisErrors.inc({ op: 'digest' });
      }
    }
    return this.#lastDigest;
  }

  /** Last digest known to this process (no Redis round trip); null before any. */
  knownDigest(): string | null {
    return this.#lastDigest;
  }

  /** Records the digest of the model that just answered. */
  noteDigest(digest: string): void {
    if (digest === this.#lastDigest) return;
    this.#lastDigest = digest;
    this.#l2?.setLastDigest(digest).catch(() => this.#metrics.redisErrors.inc({ op: 'digest' }));
  }

  /**
   * L1 only, synchronous (the cache-hit path): one Lookup per key, in order. Counts L1 hits/misses/stales.
   * @param now epoch ms
   */
  lookupL1(keys: readonly string[], now: number): Lookup[] {
    const out = new Array<Lookup>(keys.length);
    const c = this.#l1Cells;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const e = this.#usable(this.#l1.get(k), now, k, true);
      if (e) {
        const state = freshness(e, now);
        (state === 'fresh' ? c.hit : c.stale).n++;
        out[i] = { state, entry: e, tier: 'l1' };
      } else {
        c.miss.n++;
        out[i] = MISS;
      }
    }
    return out;
  }

  /** Whether L1 results leave keys for L2 to answer (an L2 is configured and some key is not fresh). */
  needsL2(l1: readonly Lookup[]): boolean {
    return this.#l2 !== null && l1.some((l) => l.state !== 'fresh');
  }

  /**
   * Completes L1 results from L2 (the check service calls it when {@link needsL2}): the keys not fresh in L1 are
   * fetched with one MGET; L2 hits are copied into L1.
   * @param l1 the result of {@link lookupL1} for the same keys (not modified)
   * @param now epoch ms
   * @returns one Lookup per key, in order; never rejects (L2 errors count as misses)
   */
  async lookupL2(keys: readonly string[], l1: readonly Lookup[], now: number): Promise<Lookup[]> {
    const out = [...l1];
    const l2Keys: string[] = [];
    const l2Idx: number[] = [];
    out.forEach((l, i) => {
      if (l.state !== 'fresh') {
        l2Keys.push(keys[i]!);
        l2Idx.push(i);
      }
    });
    if (l2Keys.length === 0 || this.#l2 === null) return out;
    const l2 = this.#l2;
    const m = this.#metrics.cacheLookups.counter;
    await inSpan('cache.l2.mget', async (span) => {
      span.setAttribute('phishnet.keys', l2Keys.length);
      try {
        const vals = await l2.mget(l2Keys);
        vals.forEach((v, j) => {
          const i = l2Idx[j]!;
          const e = this.#usable(v ?? undefined, now, l2Keys[j]!, false);
          if (!e) {
            m.inc({ tier: 'l2', result: 'miss' });
            return;
          }
          const state = freshness(e, now);
          m.inc({ tier: 'l2', result: state === 'fresh' ? 'hit' : 'stale' });
          const prev = out[i]!;
          // Prefer whichever copy is fresher (another replica may have refreshed the verdict).
          if (prev.state === 'miss' || e.expiresAt > prev.entry.expiresAt) {
            out[i] = { state, entry: e, tier: 'l2' };
            this.#l1.set(l2Keys[j]!, e);
          }
        });
      } catch (err) {
        m.inc({ tier: 'l2', result: 'error' }, l2Keys.length);
        this.#metrics.redisErrors.inc({ op: 'get' });
        span.recordException(err as Error);
      } finally {
        span.end();
      }
    });
    return out;
  }

  /** Stores fresh entries in L1 and (fire-and-forget, failures counted) L2. */
  store(items: readonly { key: string; entry: StoredVerdict }[], now: number): void {
    for (const it of items) this.#l1.set(it.key, it.entry);
    if (this.#l2 === null || items.length === 0) return;
    const entries = items.map((it) => ({ key: it.key, value: it.entry, pxMs: it.entry.expiresAt - now + this.#staleMs }));
    this.#l2.set(entries).catch(() => this.#metrics.redisErrors.inc({ op: 'set' }));
  }

  /** Entries past TTL + stale window are dropped (L1) / ignored. */
  #usable(e: StoredVerdict | undefined, now: number, key: string, l1: boolean): StoredVerdict | undefined {
    if (e === undefined) return undefined;
    if (now >= e.expiresAt + this.#staleMs) {
      if (l1) this.#l1.delete(key);
      return undefined;
    }
    return e;
  }

  async close(): Promise<void> {
    await this.#l2?.close();
  }
}
