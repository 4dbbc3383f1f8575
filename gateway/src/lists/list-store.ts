/**
 * The gateway's list snapshot: lists from every source (the bundled default allowlist, files in the lists directory,
 * versions in Redis) merged into one immutable {@link ListSnapshot}, swapped by reference when a source changes.
 * The check path asks {@link ListStore.decide} for every canonical URL before the cache and the model.
 *
 * Hit path: a decision costs the URL's lookup expressions (≤ 30) and their SHA-256 full hashes. Decisions of hot URLs
 * (answered by a list or from the verdict cache) are memoized per URL; the memo belongs to one snapshot generation
 * and is dropped with it, so a list change applies to memoized URLs at the next request.
 */
import type { CanonicalUrl } from '@phishnet/api';
import { ListSnapshot, type CompiledList, type ListKind, type ListMatch } from '@phishnet/lists';
import type { CounterCell, GatewayMetrics } from '../metrics/metrics.ts';

/** Stable reasons a list load fails (label `reason` of `phishnet_gateway_list_load_failures_total`). */
export type ListLoadFailure =
  | 'file_unreadable' | 'bad_format' | 'too_large' | 'default_allowlist_missing' | 'duplicate_name'
  | 'redis_unavailable' | 'bad_index' | 'missing_data' | 'sha256_mismatch' | 'entry_count_mismatch';

/** Most URL decisions memoized per snapshot generation; the memo is cleared when full. */
const MEMO_MAX = 20_000;

/** One list as `GET /api/lists` shows it. */
export interface ListSummary { name: string; kind: ListKind; version: string; entries: number }

export class ListStore {
  readonly #metrics: GatewayMetrics;
  readonly #clock: () => number;
  /** Lists by source key (`file:<path>`, `redis:<name>`), in key order when merged. */
  readonly #bySource = new Map<string, CompiledList>();
  /** Last successful refresh per source id (epoch ms); absent until its first success. */
  readonly #freshAt = new Map<string, number>();
  readonly #matchCells = new Map<string, CounterCell>();
  #snapshot: ListSnapshot = ListSnapshot.EMPTY;
  #generation = 0;
  /** Tenant-scoped lists (PhishFeeds with `scope: Tenant`) by list name: never in the snapshot, used by tenants that
   * reference them (tenants/policy.ts). */
  readonly #scoped = new Map<string, CompiledList>();
  #scopedGeneration = 0;
  #memo = new Map<string, ListMatch | null>();
  #prefixBlobs = new WeakMap<CompiledList, Buffer>();

  /** @param clock epoch ms (tests) */
  constructor(opts: { metrics: GatewayMetrics; clock?: () => number }) {
    this.#metrics = opts.metrics;
    this.#clock = opts.clock ?? Date.now;
    // Age at scrape time: seconds since the stalest source last refreshed (0 before any source registered).
    opts.metrics.listAge.seconds = () => this.ageSeconds();
  }

  /** The current snapshot (immutable; replaced on every change). */
  get snapshot(): ListSnapshot { return this.#snapshot; }

  /** Increases by one with every snapshot swap. */
  get generation(): number { return this.#generation; }

  /** A tenant-scoped list by name. */
  getScoped(name: string): CompiledList | undefined { return this.#scoped.get(name); }

  /** Names of the tenant-scoped lists. */
  scopedNames(): string[] { return [...this.#scoped.keys()]; }

  /** Increases by one with every change of the tenant-scoped lists. */
  get scopedGeneration(): number { return this.#scopedGeneration; }

  /** Adds, replaces and removes tenant-scoped lists (by list name). */
  applyScoped(put: ReadonlyMap<string, CompiledList>, remove: readonly string[]): void {
    let changed = false;
    for (const n of remove) changed = this.#scoped.delete(n) || changed;
    for (const [n, l] of put) {
      if (this.#scoped.get(n) === l) continue;
      this.#scoped.set(n, l);
      this.#metrics.listVersionChanges.inc({ list: n });
      changed = true;
    }
    if (changed) this.#scopedGeneration++;
  }

  /** Seconds since the stalest registered source last refreshed successfully (0 when none is registered). */
  ageSeconds(): number {
    if (this.#freshAt.size === 0) return 0;
    const oldest = Math.min(...this.#freshAt.values());
    return oldest === 0 ? Infinity : Math.max(0, (this.#clock() - oldest) / 1000);
  }

  /** Registers a source for the snapshot age (stale until its first {@link markFresh}). */
  registerSource(id: string): void {
    if (!this.#freshAt.has(id)) this.#freshAt.set(id, 0);
  }

  /** Records a successful refresh of a source (every list it holds is current). */
  markFresh(id: string): void {
    this.#freshAt.set(id, this.#clock());
  }

  /** Counts a failed load (the previous version stays). */
  fail(reason: ListLoadFailure): void {
    this.#metrics.listLoadFailures.inc({ reason });
  }

  /** The list a source key holds now, if any (sources compare versions with it before reloading). */
  get(sourceKey: string): CompiledList | undefined { return this.#bySource.get(sourceKey); }

  /** Source keys with a prefix (e.g. every `redis:` list, to find lists removed at the source). */
  keys(prefix: string): string[] { return [...this.#bySource.keys()].filter((k) => k.startsWith(prefix)); }

  /**
   * Applies changes of one source and swaps in a new snapshot when anything changed.
   * @param put lists to add or replace, by source key; @param remove source keys to drop
   */
  apply(put: ReadonlyMap<string, CompiledList>, remove: readonly string[] = []): void {
    let changed = false;
    for (const k of remove) {
      const old = this.#bySource.get(k);
      if (old) {
        this.#bySource.delete(k);
        this.#metrics.listVersionChanges.inc({ list: old.name });
        changed = true;
      }
    }
    for (const [k, l] of put) {
      const old = this.#bySource.get(k);
      if (old === l) continue;
      this.#bySource.set(k, l);
      if (old?.version !== l.version || old.name !== l.name) this.#metrics.listVersionChanges.inc({ list: l.name });
      changed = true;
    }
    if (changed) this.#swap();
  }

  #swap(): void {
    const lists: CompiledList[] = [];
    const names = new Set<string>();
    for (const k of [...this.#bySource.keys()].sort()) {
      const l = this.#bySource.get(k)!;
      if (names.has(l.name)) {
        // Two sources with one list name (e.g. a file and a Redis list): the first by source key wins.
        this.fail('duplicate_name');
        continue;
      }
      names.add(l.name);
      lists.push(l);
    }
    this.#snapshot = new ListSnapshot(lists);
    this.#generation++;
    this.#memo = new Map();
    const g = this.#metrics.listEntries;
    g.reset();
    for (const l of lists) g.set({ list: l.name, kind: l.kind }, l.prefixes.length);
  }

  /**
   * The list that decides a canonical URL (deny before allow), null when the model decides. Memoized for URLs
   * passed to {@link remember} until the next snapshot swap. Counts list matches.
   */
  decide(url: CanonicalUrl): ListMatch | null {
    const snap = this.#snapshot;
    if (snap.lists.length === 0) return null;
    let m = this.#memo.get(url.href);
    if (m === undefined) {
      m = snap.decide(url);
      if (m !== null) this.remember(url.href, m, this.#generation);
    }
    if (m !== null) this.#countMatch(m);
    return m;
  }

  /**
   * Memoizes the decision of a hot URL (one answered from the verdict cache or by a list) for the current snapshot.
   * @param generation the {@link generation} the decision was made with: ignored when the snapshot changed since
   */
  remember(href: string, match: ListMatch | null, generation: number): void {
    if (generation !== this.#generation || this.#snapshot.lists.length === 0 || this.#memo.has(href)) return;
    if (this.#memo.size >= MEMO_MAX) this.#memo.clear();
    this.#memo.set(href, match);
  }

  #countMatch(m: ListMatch): void {
    const key = `${m.kind}\u0000${m.list}`;
    let c = this.#matchCells.get(key);
    if (!c) {
      c = this.#metrics.listMatches.cell({ list: m.list, kind: m.kind });
      this.#matchCells.set(key, c);
    }
    c.n++;
  }

  /** Every list of the snapshot, by name. */
  summaries(): ListSummary[] {
    return this.#snapshot.lists.map((l) => ({ name: l.name, kind: l.kind, version: l.version, entries: l.prefixes.length }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * A list's distinct hash prefixes, sorted ascending, 4 bytes big-endian each (built once per list version), with
   * the list; null when no list has that name.
   */
  prefixes(name: string): { list: CompiledList; body: Buffer } | null {
    const list = this.#snapshot.lists.find((l) => l.name === name);
    if (!list) return null;
    let body = this.#prefixBlobs.get(list);
    if (!body) {
      const p = list.prefixes;
      body = Buffer.allocUnsafe(p.length * 4);
      let n = 0;
      for (let i = 0; i < p.length; i++) {
        if (i > 0 && p[i] === p[i - 1]) continue;
        body.writeUInt32BE(p[i]!, n);
        n += 4;
      }
      body = body.subarray(0, n);
      this.#prefixBlobs.set(list, body);
    }
    return { list, body };
  }
}
