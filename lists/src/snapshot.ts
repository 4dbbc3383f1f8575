/**
 * In-memory list snapshots: per list, a sorted Uint32Array of prefixes and the full hashes in the same order
 * (one Buffer, 32 bytes per entry). Lookup = binary search of each expression's prefix, then full-hash confirmation.
 * Immutable: a new version is a new snapshot, swapped in by reference.
 */

/** `deny`: known phishing; `allow`: known legitimate. */
export type ListKind = 'deny' | 'allow';

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
 */
export function compileList(info: ListInfo, fullHashes: Iterable<Uint8Array> | Buffer): CompiledList {
  void info; void fullHashes;
  throw new Error('not implemented');
}

/** A set of compiled lists, queried as one. */
export class ListSnapshot {
  readonly lists: readonly CompiledList[];
  constructor(lists: readonly CompiledList[]) { this.lists = lists; }

  /** An empty snapshot (no lists: every URL goes to the model). */
  static readonly EMPTY = new ListSnapshot([]);

  /**
   * The list that decides a canonical URL: the first deny list (by name) matching any of its expressions, else the
   * first allow list matching; null when none matches.
   */
  decide(url: import('@phishnet/inference/contract').CanonicalUrl | string): ListMatch | null {
    void url;
    throw new Error('not implemented');
  }

  /** Same as {@link decide} for precomputed full hashes (`urlHashes(url)`). */
  decideHashes(hashes: readonly Uint8Array[]): ListMatch | null {
    void hashes;
    throw new Error('not implemented');
  }

  /**
   * Privacy-preserving search (Safe Browsing v5 `hashes:search`): every full hash whose 4-byte prefix is one of
   * `prefixes`, with its list and kind.
   */
  searchPrefixes(prefixes: Iterable<number>): { hash: Buffer; list: string; kind: ListKind }[] {
    void prefixes;
    throw new Error('not implemented');
  }

  /** Entries over all lists. */
  get size(): number { return this.lists.reduce((n, l) => n + l.prefixes.length, 0); }
}
