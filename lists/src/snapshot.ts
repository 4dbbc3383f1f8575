/**
 * In-memory list snapshots: per list, a sorted Uint32Array of prefixes and the full hashes in the same order
 * (one Buffer, 32 bytes per entry). Lookup = binary search of each expression's prefix, then full-hash confirmation.
 * Immutable: a new version is a new snapshot, swapped in by reference.
 */
import type { CanonicalUrl } from '@phishnet/api';
import { FULL_HASH_BYTES, prefixOf, sortedHashDataWithPrefixes, urlLookupHashes } from './hashes.ts';
import { MAX_EXPRESSIONS } from './expressions.ts';

/** `deny`: known phishing; `allow`: known legitimate. */
export type ListKind = 'deny' | 'allow';

/** The list kinds, in decision order. */
export const LIST_KINDS: readonly ListKind[] = ['deny', 'allow'];

/** A valid list name (a Kubernetes DNS label; see {@link ListInfo.name}). */
export const LIST_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Longest list name, in characters. */
export const MAX_LIST_NAME_LENGTH = 63;

/** True when `name` is a valid list name: {@link LIST_NAME_PATTERN}, at most {@link MAX_LIST_NAME_LENGTH} characters. */
export function isListName(name: string): boolean {
  return name.length <= MAX_LIST_NAME_LENGTH && LIST_NAME_PATTERN.test(name);
}

/** Identity of one list version (from Redis or a file). */
export interface ListInfo {
  /** List name: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, ≤ 63 characters (a Kubernetes name; a PhishFeed's namespace-name). */
  name: string;
  kind: ListKind;
  /** Opaque version string; changes whenever the content changes. */
  version: string;
}

/** One list's content in a snapshot. */
export interface CompiledList extends ListInfo {
  /** Sorted ascending, duplicates kept (different full hashes may share a prefix). */
  prefixes: Uint32Array;
  /** Full hashes, `FULL_HASH_BYTES` each, in the order of `prefixes`. */
  hashes: Buffer;
}

/** What decided a URL: a list (by name and kind) — absent when no list matched (the model decides). */
export interface ListMatch { list: string; kind: ListKind }

/**
 * Builds one list from full hashes (any order, duplicates removed).
 * A `Buffer` (or any `Uint8Array`) is read as a data value: full hashes concatenated, 32 bytes each, as stored in
 * Redis ({@link encodeHashes}). Sorted, duplicate-free data (what `encodeHashes` writes) compiles in O(n) and is used
 * as is, not copied: the caller must not modify it afterwards. Anything else is sorted into a new Buffer.
 * @throws Error for an invalid name or kind; RangeError for a hash that is not 32 bytes or data whose length is not a
 *   multiple of 32
 */
export function compileList(info: ListInfo, fullHashes: Iterable<Uint8Array> | Buffer): CompiledList {
  if (!isListName(info.name)) {
    throw new Error(`invalid list name ${JSON.stringify(info.name)}: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters`);
  }
  if (info.kind !== 'deny' && info.kind !== 'allow') throw new Error(`invalid list kind ${JSON.stringify(info.kind)}`);
  const { data: hashes, prefixes } = sortedHashDataWithPrefixes(fullHashes);
  return { name: info.name, kind: info.kind, version: info.version, prefixes, hashes };
}

/** Index of the first entry of `prefixes` ≥ `p` (prefixes.length when none). */
function lowerBound(prefixes: Uint32Array, p: number): number {
  let lo = 0;
  let hi = prefixes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (prefixes[mid]! < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when `list` holds the full hash `hash` whose prefix is `p`. */
function contains(list: CompiledList, hash: Uint8Array, p: number): boolean {
  const { prefixes, hashes } = list;
  for (let i = lowerBound(prefixes, p); i < prefixes.length && prefixes[i] === p; i++) {
    const off = i * FULL_HASH_BYTES;
    if (hashes.compare(hash, 0, FULL_HASH_BYTES, off, off + FULL_HASH_BYTES) === 0) return true;
  }
  return false;
}

function byName(a: CompiledList, b: CompiledList): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A set of compiled lists, queried as one. */
export class ListSnapshot {
  readonly lists: readonly CompiledList[];
  /** Non-empty lists in decision order: deny lists by name, then allow lists by name. */
  readonly #ordered: readonly CompiledList[];
  /** Prefix scratch space for {@link decideHashes} (one snapshot is used from one thread). */
  readonly #scratch = new Uint32Array(MAX_EXPRESSIONS);

  /** @param lists the compiled lists; their order does not matter (decisions go deny → allow, each by name) */
  constructor(lists: readonly CompiledList[]) {
    this.lists = lists;
    const nonEmpty = lists.filter((l) => l.prefixes.length > 0);
    this.#ordered = [
      ...nonEmpty.filter((l) => l.kind === 'deny').sort(byName),
      ...nonEmpty.filter((l) => l.kind === 'allow').sort(byName),
    ];
  }

  /** An empty snapshot (no lists: every URL goes to the model). */
  static readonly EMPTY = new ListSnapshot([]);

  /**
   * The list that decides a canonical URL: the first deny list (by name) matching any of its expressions, else the
   * first allow list matching one of its allowable expressions (all of them, except on a hosting platform the Public
   * Suffix List misses: see `allowableExpressionCount`); null when none matches. Costs at most 30 SHA-256 of short
   * strings plus one binary search per expression and list; nothing is hashed when the snapshot holds no entry.
   * @param url a canonical URL or its (canonical) href
   * @throws UrlError (inference's) only for a string that is not a URL at all
   */
  decide(url: CanonicalUrl | string): ListMatch | null {
    if (this.#ordered.length === 0) return null;
    const { hashes, allowable } = urlLookupHashes(url);
    return this.decideHashes(hashes, allowable);
  }

  /**
   * Same as {@link decide} for precomputed full hashes (`urlHashes(url)`, or `urlLookupHashes(url)` for both
   * arguments); hashes that are not 32 bytes never match.
   * @param allowable how many leading hashes allow lists may match (default: all; pass `urlLookupHashes(url).allowable`
   *   to apply the hosting-platform rule as {@link decide} does)
   */
  decideHashes(hashes: readonly Uint8Array[], allowable: number = hashes.length): ListMatch | null {
    if (this.#ordered.length === 0) return null;
    const n = hashes.length;
    const prefixes = n <= this.#scratch.length ? this.#scratch : new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const h = hashes[i]!;
      prefixes[i] = h.length === FULL_HASH_BYTES ? prefixOf(h) : 0;
    }
    for (const list of this.#ordered) {
      const m = list.kind === 'deny' ? n : Math.min(n, allowable);
      for (let i = 0; i < m; i++) {
        const h = hashes[i]!;
        if (h.length === FULL_HASH_BYTES && contains(list, h, prefixes[i]!)) return { list: list.name, kind: list.kind };
      }
    }
    return null;
  }

  /**
   * Privacy-preserving search (Safe Browsing v5 `hashes:search`): every full hash whose 4-byte prefix is one of
   * `prefixes`, with its list and kind. Duplicate prefixes are searched once; results come per prefix (in the order
   * given), then per list in decision order. The hashes returned are copies.
   * @throws RangeError for a prefix that is not an integer in 0..2^32-1
   */
  searchPrefixes(prefixes: Iterable<number>): { hash: Buffer; list: string; kind: ListKind }[] {
    const out: { hash: Buffer; list: string; kind: ListKind }[] = [];
    const seen = new Set<number>();
    for (const raw of prefixes) {
      const p = raw >>> 0;
      if (p !== raw) throw new RangeError(`a hash prefix is an unsigned 32-bit integer, got ${raw}`);
      if (seen.has(p)) continue;
      seen.add(p);
      for (const list of this.#ordered) {
        const { prefixes: ps, hashes } = list;
        for (let i = lowerBound(ps, p); i < ps.length && ps[i] === p; i++) {
          const hash = Buffer.from(hashes.subarray(i * FULL_HASH_BYTES, (i + 1) * FULL_HASH_BYTES));
          out.push({ hash, list: list.name, kind: list.kind });
        }
      }
    }
    return out;
  }

  /** Entries over all lists. */
  get size(): number { return this.lists.reduce((n, l) => n + l.prefixes.length, 0); }
}
