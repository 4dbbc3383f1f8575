/**
 * Feature set `char-ngram/v1`: canonical URL → sparse, L2-normalized vector of hashed character 3-, 4- and 5-grams.
 *
 * The second input of the stacked models (v2–v4), beside the dense `url-lexical/v1` vector: a logistic regression
 * over these n-grams (weights shipped in the model artifact: `model/artifact.ts` loads them, `Scorer.ngramLogit`
 * applies them) learns sub-word patterns that named features and word tokens miss (brand fragments glued to other words,
 * typo-squats, kit paths such as `/wp-includes/` or `/secure-login/`). Character n-gram URL models: Ma et al.,
 * "Beyond Blacklists" (KDD 2009); Le et al., "URLNet" (2018).
 *
 * The n-grams are taken from {@link ngramText}: the canonical URL without the parts that are dataset artefacts
 * (`shared/data/README.md`, "Shortcut risk"): no scheme, no leading `www.` label, no trailing `/` after the path, so
 * `https://www.x.com/`, `http://x.com` and `x.com` have the same n-grams.
 */
import type { CanonicalUrl } from '@phishnet/api';
import { stripWww } from './url-lexical-v1.ts';

/** The id written into model manifests (`ngramModel.featureSet`). */
export const NGRAM_FEATURE_SET_ID = 'char-ngram/v1';
/** Hash space: n-gram buckets 0 .. NGRAM_BUCKETS − 1 (2^18; a model's weight vector has this length). */
export const NGRAM_BUCKETS = 1 << 18;
/** Shortest and longest n-gram, in UTF-16 code units (canonical URLs are ASCII). */
export const NGRAM_MIN = 3;
export const NGRAM_MAX = 5;

/** A sparse vector: strictly increasing bucket indices and their values. */
export interface SparseVector {
  readonly index: Uint32Array;
  readonly value: Float32Array;
}

/**
 * The text the n-grams are taken from: `[userinfo@]host[:port][path][?query]` with the host's leading `www.` label
 * removed and trailing `/` of the path removed (so a bare host has no path at all).
 * @example ngramText(canonicalize('https://www.Example.com/a/b/?q=1')) === 'example.com/a/b?q=1'
 */
export function ngramText(url: CanonicalUrl): string {
  let end = url.path.length;
  while (end > 0 && url.path.charCodeAt(end - 1) === 47) end--;
  return `${url.userinfo === null ? '' : `${url.userinfo}@`}${stripWww(url.host, url.hostKind)}${url.port === null ? '' : `:${url.port}`}`
    + `${url.path.slice(0, end)}${url.query === null ? '' : `?${url.query}`}`;
}

/**
 * Bucket of one n-gram: FNV-1a 32-bit over its code units, xor-folded to 18 bits (the FNV authors' recommendation
 * for power-of-two tables: http://www.isthe.com/chongo/tech/comp/fnv/#xor-fold).
 */
export function ngramBucket(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fold(h >>> 0);
}

const MASK = NGRAM_BUCKETS - 1;
const fold = (h: number): number => ((h >>> 18) ^ h) & MASK;

let scratch = new Uint32Array(1024);

/**
 * Buckets of every 3-, 4- and 5-gram of `text`, in text order, written to the module's scratch array (grown as
 * needed; valid until the next call). Rolling FNV-1a: the hash of text[i..i+4] extends those of text[i..i+2] and
 * text[i..i+3]. Returns the count.
 */
function hashNgrams(text: string): number {
  const n = text.length;
  const total = n < NGRAM_MIN ? 0 : (n - NGRAM_MIN + 1) * (NGRAM_MAX - NGRAM_MIN + 1);
  if (scratch.length < total) scratch = new Uint32Array(total * 2);
  let k = 0;
  for (let i = 0; i + NGRAM_MIN <= n; i++) {
    let h = 0x811c9dc5;
    const stop = Math.min(i + NGRAM_MAX, n);
    for (let j = i; j < stop; j++) {
      h ^= text.charCodeAt(j);
      h = Math.imul(h, 0x01000193);
      if (j - i + 1 >= NGRAM_MIN) scratch[k++] = fold(h >>> 0);
    }
  }
  return k;
}

/**
 * `char-ngram/v1` vector of a canonical URL: every substring of {@link ngramText} of length 3..5 is hashed with
 * {@link ngramBucket}; a bucket's value is its count divided by the L2 norm of all counts. A text shorter than 3
 * characters gives the empty vector.
 * @returns indices strictly increasing in 0..NGRAM_BUCKETS−1, values in (0, 1], Σ value² = 1 (or empty)
 */
export function charNgrams(url: CanonicalUrl): SparseVector {
  return ngramsOfText(ngramText(url));
}

/** {@link charNgrams} of an already derived text (exported for tests and tools). */
export function ngramsOfText(text: string): SparseVector {
  const k = hashNgrams(text);
  const sorted = scratch.subarray(0, k).sort();
  let distinct = 0;
  for (let i = 0; i < k; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const index = new Uint32Array(distinct);
  const value = new Float32Array(distinct);
  let sumSq = 0;
  for (let i = 0, d = -1; i < k; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) index[++d] = sorted[i]!;
    value[d]! += 1;
  }
  for (let d = 0; d < distinct; d++) sumSq += value[d]! * value[d]!;
  const norm = Math.sqrt(sumSq);
  for (let d = 0; d < distinct; d++) value[d] = value[d]! / norm;
  return { index, value };
}

let slotKey = new Int32Array(1024);
let slotCount = new Uint16Array(1024);
let touched = new Uint32Array(512);

/**
 * `weights · charNgrams(url)` without building the sparse vector: counts n-grams in a small open-addressing table
 * sized to the URL (linear probing, reused per thread, so it stays in the L1 cache) instead of sorting, so the
 * serving path is O(n-grams). Equals the dot product with {@link charNgrams}' float32 values up to float64
 * summation order.
 * @param weights float32 weights, length NGRAM_BUCKETS
 * @returns Σ weights[bucket] · value(bucket), 0 for a text shorter than 3 characters
 */
export function ngramDot(url: CanonicalUrl, weights: Float32Array): number {
  const k = hashNgrams(ngramText(url));
  let size = 64;
  while (size < k * 2) size *= 2;
  if (slotKey.length < size) {
    slotKey = new Int32Array(size);
    slotCount = new Uint16Array(size);
  }
  if (touched.length < k) touched = new Uint32Array(k * 2);
  slotKey.fill(-1, 0, size);
  const mask = size - 1;
  let distinct = 0;
  for (let i = 0; i < k; i++) {
    const b = scratch[i]!;
    let slot = Math.imul(b, 0x9e3779b1) >>> 0 & mask; // Fibonacci hashing spreads neighbouring buckets
    while (slotKey[slot] !== -1 && slotKey[slot] !== b) slot = (slot + 1) & mask;
    if (slotKey[slot] === -1) {
      slotKey[slot] = b;
      slotCount[slot] = 1;
      touched[distinct++] = slot;
    } else {
      slotCount[slot] = slotCount[slot]! + 1;
    }
  }
  let sumSq = 0;
  for (let d = 0; d < distinct; d++) sumSq += slotCount[touched[d]!]! ** 2;
  const norm = Math.sqrt(sumSq);
  let dot = 0;
  for (let d = 0; d < distinct; d++) {
    const slot = touched[d]!;
    dot += weights[slotKey[slot]!]! * Math.fround(slotCount[slot]! / norm);
  }
  return dot;
}
