/**
 * Benchmark: what threat-intel lists cost the gateway. Not a test: it prints numbers.
 *
 *   npm run bench:lists [-- --entries 1000000 --rounds 5]
 *
 * 1. Loading a list as the gateway loads it from Redis: the data value (sorted full hashes, 32 bytes each, as the
 *    operator writes it with `encodeHashes`) is checked against its SHA-256 (`verifyData`) and compiled
 *    (`compileList`). Time of each step over the rounds; then memory (RSS, heap, array buffers) before and after one
 *    more load that starts from a fresh copy of the data value (what the Redis client's reply allocates), with a GC on
 *    both sides (run with `--expose-gc`, as the npm script does).
 * 2. The per-URL cost of a list lookup over the 2k fixture URLs (canonicalized beforehand, as the gateway has them):
 *    lookup expressions alone, their full hashes (`urlHashes`), and the whole decision (`ListSnapshot.decide`: all
 *    expressions, hashes, prefix search in every list) against a snapshot of the deny list above plus the bundled
 *    default allowlist. Side by side, in the same run: the gateway's cache-hit path for one URL (sha256 of the
 *    canonical URL, cache key, `VerdictCache.lookupL1` hit with the gateway's real metrics) and one SHA-256 of a
 *    canonical URL, the reference unit. Each URL is timed individually (process.hrtime.bigint) over all rounds after a
 *    warm-up round; median and p99 in microseconds, and ratios of the medians.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CanonicalUrl } from '@phishnet/api';
import { readLabelledCsv } from '@phishnet/tools/labelled-csv';
import { VerdictCache } from '@phishnet/gateway/verdict-cache';
import { cacheKeyOf, checkedUrl, sha256Hex } from '@phishnet/gateway/checked-url';
import { createMetrics } from '@phishnet/gateway/metrics';
import {
  compileList, dataSha256, encodeHashes, fullHash, hostEntryExpression, ListSnapshot, lookupExpressions, urlHashes,
  verifyData, type ListIndexEntry,
} from '@phishnet/lists';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '5' } } });
const entries = Number(values.entries);
const rounds = Number(values.rounds);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('no --expose-gc: memory numbers include garbage');
const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const mem = () => { gc?.(); gc?.(); const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapUsed, ab: m.arrayBuffers }; };
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

// --- 1. load -------------------------------------------------------------------------------------------------------
const raw = randomBytes(entries * 32);
const data = encodeHashes((function* () { for (let i = 0; i < entries; i++) yield raw.subarray(i * 32, i * 32 + 32); })());
const index: ListIndexEntry = { kind: 'deny', version: 'v1', entries, sha256: dataSha256(data), updatedAt: new Date(0).toISOString() };
const loads: { verify: number; compile: number }[] = [];
let deny = compileList({ name: 'feed', kind: 'deny', version: 'v0' }, data); // warm-up
for (let r = 0; r < rounds; r++) {
  let t0 = process.hrtime.bigint();
  verifyData(index, data);
  const verify = ms(t0);
  t0 = process.hrtime.bigint();
  deny = compileList({ name: 'feed', kind: 'deny', version: `v${r + 1}` }, data);
  loads.push({ verify, compile: ms(t0) });
}
// Memory of one more loaded version: the data value as the Redis client returns it (a fresh Buffer), then checked and
// compiled; prefixes are the only copy (compileList keeps sorted data as is).
const before = mem();
const t0 = process.hrtime.bigint();
const reply = Buffer.from(data);
verifyData(index, reply);
const loaded = compileList({ name: 'feed', kind: 'deny', version: 'mem' }, reply);
const loadMs = ms(t0);
const after = mem();
void loaded.prefixes.length;

const allowText = readFileSync(new URL('../lists/data/default-allow.txt', import.meta.url), 'utf8');
const allowHashes = allowText.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => fullHash(hostEntryExpression(l)));
const snapshot = new ListSnapshot([deny, compileList({ name: 'default-allow', kind: 'allow', version: 'v1' }, allowHashes)]);

// --- 2. per-URL lookup ---------------------------------------------------------------------------------------------
const urls: CanonicalUrl[] = [];
for await (const r of readLabelledCsv(new URL('../fixtures/urls-2k.csv', import.meta.url).pathname)) urls.push(r.url);
const hrefs = urls.map((u) => u.href);

const metrics = createMetrics();
const cache = new VerdictCache({ l1Max: 100_000, l2: null, metrics, staleSeconds: 3600 });
const digest = 'ab'.repeat(32);
const now = Date.now();
const checked = urls.map(checkedUrl);
cache.store(checked.map((u) => ({
  key: cacheKeyOf(digest, u),
  entry: { score: 0.1, verdict: 'legitimate', threatLevel: 'none', reasons: [],
    model: { name: 'bench', version: '0', digest }, storedAt: now, expiresAt: now + 3_600_000 },
})), now);

function timeEach(fn: (i: number) => unknown): number[] {
  const out: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    for (let i = 0; i < urls.length; i++) {
      const t = process.hrtime.bigint();
      fn(i);
      const dt = Number(process.hrtime.bigint() - t) / 1000;
      if (r > 0) out.push(dt);
    }
  }
  return out.sort((a, b) => a - b);
}
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

let matched = 0;
let denied = 0;
const rows: [string, number[]][] = [
  ['SHA-256 of the canonical URL (reference unit)', timeEach((i) => sha256Hex(hrefs[i]!))],
  ['gateway cache hit (key from the checked URL\'s hash, L1 lookup)', timeEach((i) => cache.lookupL1([cacheKeyOf(digest, checked[i]!)], now))],
  ['lookup expressions', timeEach((i) => lookupExpressions(urls[i]!))],
  ['expressions + full hashes', timeEach((i) => urlHashes(urls[i]!))],
  ['list decision (expressions, hashes, search)', timeEach((i) => { const m = snapshot.decide(urls[i]!); if (m) { matched++; if (m.kind === 'deny') denied++; } })],
];
const exprs = urls.reduce((n, u) => n + lookupExpressions(u).length, 0) / urls.length;

console.log(`Node ${process.version}; ${entries.toLocaleString('en')} random full hashes + default allowlist (${allowHashes.length} entries); ${rounds} rounds`);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const span = (xs: number[]) => `median ${med(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
console.log(`\nload from a Redis data value of ${mib(data.length)} MiB, ms over ${rounds} rounds: verify SHA-256 ${span(loads.map((l) => l.verify))}, ` +
  `compile ${span(loads.map((l) => l.compile))}`);
console.log(`one more loaded version (reply copy + verify + compile ${loadMs.toFixed(1)} ms): RSS +${mib(after.rss - before.rss)} MiB, ` +
  `heap +${mib(after.heap - before.heap)} MiB, array buffers +${mib(after.ab - before.ab)} MiB (data ${mib(reply.length)} + prefixes ${mib(loaded.prefixes.byteLength)})`);
console.log(`\n${urls.length} URLs (${exprs.toFixed(1)} expressions per URL on average; ${matched / (rounds + 1)} of them matched a list per round, ${denied} ever the random deny list)`);
const ref = q(rows[0]![1], 0.5);
const hit = q(rows[1]![1], 0.5);
console.log(`${'step'.padEnd(48)} ${'median µs'.padStart(10)} ${'p99 µs'.padStart(10)} ${'× SHA-256'.padStart(10)} ${'× hit'.padStart(8)}`);
for (const [name, xs] of rows) {
  const m = q(xs, 0.5);
  console.log(`${name.padEnd(48)} ${m.toFixed(2).padStart(10)} ${q(xs, 0.99).toFixed(2).padStart(10)} ${(m / ref).toFixed(1).padStart(10)} ${(m / hit).toFixed(1).padStart(8)}`);
}
