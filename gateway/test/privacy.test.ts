/**
 * No URLs at rest: after checking URLs that carry passwords, tokens and e-mail addresses, no value in Redis contains
 * any of them. Real gateway processes, real inference (real model), real Debian redis-server.
 *
 * Out of scope: the `phishnet:reports` stream (REPORTS_STREAM), which stores the reported URL by design (a report is a
 * user's explicit submission; see the README's privacy section). It is skipped by name, and a report is filed here so
 * that the skip is exercised.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPORTS_STREAM } from '../src/reports/store.ts';
import { type ServiceProc, startGateway, startInference, startRedis } from '@phishnet/testing';

const procs: ServiceProc[] = [];
let redis: ServiceProc;
let inference: ServiceProc;
let gw: ServiceProc;

beforeAll(async () => {
  [redis, inference] = await Promise.all([startRedis(), startInference()]);
  procs.push(redis, inference);
  gw = await startGateway({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}` });
  procs.push(gw);
});
afterAll(async () => {
  for (const p of procs.reverse()) await p.stop();
});

const post = async (p: ServiceProc, path: string, body: unknown) => {
  const r = await fetch(`${p.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() as Record<string, unknown> };
};

/** Every value in Redis as text, by key: strings, hashes, lists, sets, sorted sets and streams (except `skip`). */
async function dump(client: Redis, skip: ReadonlySet<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (skip.has(key)) continue;
      const type = await client.type(key);
      const value = type === 'string' ? await client.get(key)
        : type === 'hash' ? JSON.stringify(await client.hgetall(key))
          : type === 'list' ? JSON.stringify(await client.lrange(key, 0, -1))
            : type === 'set' ? JSON.stringify(await client.smembers(key))
              : type === 'zset' ? JSON.stringify(await client.zrange(key, 0, -1))
                : type === 'stream' ? JSON.stringify(await client.xrange(key, '-', '+'))
                  : `(unexpected type ${type})`;
      out.set(key, `${key}\n${value ?? ''}`);
    }
  } while (cursor !== '0');
  return out;
}

describe('no URLs at rest in Redis', () => {
  const run = Date.now().toString(36);
  const urls = [
    `https://alice:hunter2-${run}@mail.example/inbox`,
    `http://bank.example/login?token=tok-${run}&next=%2Fhome`,
    `http://promo.example/unsubscribe?email=bob-${run}%40example.org`,
    `http://paypal.com.secure-${run}.example/verify/account`,
  ];
  /** Substrings that must appear in no Redis value: each canonical URL and its most personal part. */
  const secrets = [`hunter2-${run}`, `tok-${run}`, `bob-${run}`, `secure-${run}`];

  test('after checks (single and batch), no Redis value contains a checked URL; answers still name their URL', async () => {
    const canonical: string[] = [];
    for (const url of urls.slice(0, 2)) {
      const r = await post(gw, '/api/check-url', { url });
      expect(r.status).toBe(200);
      canonical.push(r.body.canonicalUrl as string);
    }
    const batch = await post(gw, '/api/check-urls', { urls: urls.slice(2) });
    expect(batch.status).toBe(200);
    canonical.push(...(batch.body.verdicts as { canonicalUrl: string }[]).map((v) => v.canonicalUrl));
    // a report stores its URL by design: filed so that the excluded stream exists
    expect((await post(gw, '/api/reports', { url: urls[0], expected: 'phishing' })).status).toBe(202);

    const client = new Redis(`redis://127.0.0.1:${redis.port}`, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    try {
      // the verdicts reach Redis (written after the answer): wait for one key per URL
      let values = new Map<string, string>();
      for (let i = 0; i < 50; i++) {
        values = await dump(client, new Set([REPORTS_STREAM]));
        if ([...values.keys()].filter((k) => k.includes(':verdict:')).length >= urls.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect([...values.keys()].filter((k) => k.includes(':verdict:')).length).toBeGreaterThanOrEqual(urls.length);
      expect(await client.exists(REPORTS_STREAM)).toBe(1);
      for (const [key, text] of values) {
        for (const s of [...canonical, ...urls, ...secrets]) expect(text, `Redis key ${key}`).not.toContain(s);
      }
    } finally {
      client.disconnect();
    }

    // A second replica answers from Redis (L2) with the canonical URL of its own request.
    const other = await startGateway({ PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}` });
    procs.push(other);
    const again = await post(other, '/api/check-urls', { urls });
    expect(again.status).toBe(200);
    expect((again.body.verdicts as { canonicalUrl: string; cached: boolean }[]).map((v) => [v.canonicalUrl, v.cached]))
      .toEqual(canonical.map((c) => [c, true]));
  });
});
