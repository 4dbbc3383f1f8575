import { createHash } from 'node:crypto';
import { Traffic, canonicalize } from '@phishnet/api';
import { describe, expect, test } from 'vitest';
import { checkedUrl, type CheckedUrl } from '../domain/checked-url.ts';
import { canaryBucket, chooseTrack, mirrorBucket, serviceUrl, shouldMirror } from './traffic.ts';

const urls = Array.from({ length: 10_000 }, (_, i) => checkedUrl(canonicalize(`http://host${i % 997}.example/path/${i}?q=${i * 7}`)));
const traffic = (canaryWeight: number, mirrorPercent = 0, canary = true): Traffic => ({
  stableService: 'pm-stable', ...(canary ? { canaryService: 'pm-canary' } : {}), port: 8000, canaryWeight, mirrorPercent,
});

describe('arm choice by hash of the canonical URL', () => {
  test('buckets are integers 0..99 and stable for one URL', () => {
    for (const u of urls.slice(0, 500)) {
      const b = canaryBucket(u);
      expect(Number.isInteger(b) && b >= 0 && b < 100).toBe(true);
      expect(canaryBucket(u)).toBe(b);
    }
    // sha256("") = e3b0c442 98fc1c14… → 0xe3b0c442 = 3820012610 → mod 100 = 10; 0x98fc1c14 = 2566659092 → 92
    const empty = { hash: createHash('sha256').update('').digest('hex') };
    expect(canaryBucket(empty)).toBe(10);
    expect(mirrorBucket(empty)).toBe(92);
    // The canary bucket is the first 32 bits of the digest, big-endian (the operator and tests predict arms this way).
    const u = urls[0]!;
    expect(canaryBucket(u)).toBe(createHash('sha256').update(u.href).digest().readUInt32BE(0) % 100);
  });

  test.each([1, 5, 25, 50, 75, 99])('weight %i: canary share over 10k URLs within ±1.5 points', (w) => {
    const t = traffic(w);
    const canary = urls.filter((u) => chooseTrack(u, t) === 'canary').length;
    expect(Math.abs(canary / urls.length * 100 - w)).toBeLessThan(1.5);
  });

  test('weight 0 → all stable, 100 → all canary, no canary Service → all stable', () => {
    expect(urls.every((u) => chooseTrack(u, traffic(0)) === 'stable')).toBe(true);
    expect(urls.every((u) => chooseTrack(u, traffic(100)) === 'canary')).toBe(true);
    expect(urls.every((u) => chooseTrack(u, traffic(100, 100, false)) === 'stable')).toBe(true);
    expect(urls.every((u) => chooseTrack(u, null) === 'stable')).toBe(true);
  });

  test('raising the weight only moves URLs from stable to canary', () => {
    const at = (w: number) => new Set(urls.filter((u) => chooseTrack(u, traffic(w)) === 'canary'));
    const c5 = at(5);
    const c25 = at(25);
    for (const u of c5) expect(c25.has(u)).toBe(true);
  });
});

describe('mirror selection', () => {
  test('only stable-routed URLs, share within ±1.5 points, independent of the canary bucket', () => {
    const t = traffic(20, 30);
    const stable = urls.filter((u) => chooseTrack(u, t) === 'stable');
    const mirrored = stable.filter((u) => shouldMirror(u, t));
    expect(urls.filter((u) => chooseTrack(u, t) === 'canary').some((u) => shouldMirror(u, t))).toBe(false);
    expect(Math.abs(mirrored.length / stable.length * 100 - 30)).toBeLessThan(1.5);
    // independence: among stable URLs (canary bucket 20..99), the mirrored share is about the same in low and high halves
    const low = stable.filter((u) => canaryBucket(u) < 60);
    const high = stable.filter((u) => canaryBucket(u) >= 60);
    const share = (xs: CheckedUrl[]) => xs.filter((u) => shouldMirror(u, t)).length / xs.length;
    expect(Math.abs(share(low) - share(high))).toBeLessThan(0.04);
    expect(urls.filter((u) => mirrorBucket(u) === canaryBucket(u)).length / urls.length).toBeLessThan(0.02);
  });

  test('mirror 100 → every stable URL, 0 → none, no canary Service → none', () => {
    expect(urls.every((u) => shouldMirror(u, traffic(0, 100)))).toBe(true);
    expect(urls.some((u) => shouldMirror(u, traffic(0, 0)))).toBe(false);
    expect(urls.some((u) => shouldMirror(u, traffic(0, 100, false)))).toBe(false);
    expect(urls.some((u) => shouldMirror(u, traffic(100, 100)))).toBe(false);
  });
});

describe('traffic object', () => {
  test('accepts the operator shape and refuses unsafe service names or out-of-range percentages', () => {
    expect(Traffic.safeParse({ stableService: 'url-lexical-stable', port: 8000, canaryWeight: 0, mirrorPercent: 0 }).success).toBe(true);
    expect(Traffic.safeParse({ ...traffic(5, 100), stableDigest: 'a'.repeat(64) }).success).toBe(true);
    expect(Traffic.safeParse({ ...traffic(101) }).success).toBe(false);
    expect(Traffic.safeParse({ ...traffic(5, -1) }).success).toBe(false);
    expect(Traffic.safeParse({ ...traffic(5), stableService: 'evil.example:80/x' }).success).toBe(false);
    expect(Traffic.safeParse({ ...traffic(5), port: 0 }).success).toBe(false);
  });

  test('digests are model digests (one format: 64 lowercase hex digits)', () => {
    expect(Traffic.safeParse({ ...traffic(5), canaryDigest: `sha256:${'c'.repeat(64)}` }).success).toBe(false);
    expect(Traffic.safeParse({ ...traffic(5), canaryDigest: 'AB'.repeat(32) }).success).toBe(false);
  });

  test('service URL', () => {
    expect(serviceUrl('pm-stable', 'phishnet', 8000)).toBe('http://pm-stable.phishnet.svc:8000');
  });
});
