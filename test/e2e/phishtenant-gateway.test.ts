/**
 * PhishTenant → operator → Redis → gateway, with real components: a real kube-apiserver with the PhishTenant CRD, the
 * operator process, Debian redis-server, a real inference process with the bundled model, and the real gateway app
 * (buildApp, listening on 127.0.0.1) with an injected clock, so the quota story can move to the next UTC day without
 * waiting (Redis still holds the counters). Stories: two tenants with different operating points get different
 * verdicts for one borderline URL from one shared model score; a tenant's allowlisted host; key rotation without a
 * restart, and a key Secret's value replaced in place; a quota used up, then the next day; Origin checks; usage
 * figures; malformed PhishTenants refused or marked invalid; no key material in logs or metrics; Redis stopped →
 * per-replica limits still hold and verdicts are served.
 *
 * Opt-in with the control-plane tier: PHISHNET_CONTROL_PLANE=1 (scripts/control-plane.sh).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type GatewayApp } from '@phishnet/gateway/app';
import { loadConfig } from '@phishnet/gateway/config';
import { quotaPeriods } from '@phishnet/lists';
import { ROOT, startControlPlane, startInference, startOperator, startRedis, type ControlPlane, type ServiceProc } from '@phishnet/testing';

const OPT_IN = process.env.PHISHNET_CONTROL_PLANE === '1';
/**
 * Scored `suspicious` by the bundled model (0.94, between its suspicious 0.9184 and phishing 0.9932 operating points;
 * found by scoring fixtures/urls-2k.csv with the real model): blocked for a tenant that blocks on suspicious, a
 * warning for one that keeps the model's operating point.
 */
const BORDERLINE = 'http://docusign.dvviagens.com/sharingoply3sourceps8tmttvlzs/';
/** Scored `phishing` (0.99999) by the bundled model; the consumer tenant allowlists its registered domain. */
const INTERNAL = 'http://paypal.com.account-verify.example/login';
/** Scored `suspicious` (0.99) by the bundled model; on a tenant-scoped allow feed the bank references. */
const ON_FEED = 'http://cancel-blockir-facebooks.ga/login.php';

const KEYS = {
  bank: 'bank-key-0f2c9a1e7d', consumer1: 'consumer-key-one-5b7e', consumer2: 'consumer-key-two-c81d', consumer3: 'consumer-key-three-19f4',
  metered: 'metered-key-77aa10', limited: 'limited-key-3e9f02',
} as const;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface Verdict { verdict: string; score: number; reasons: string[]; cached: boolean; source: { kind: string; list?: string } }

describe.runIf(OPT_IN)('PhishTenant to gateway', () => {
  let cp: ControlPlane;
  let redis: ServiceProc;
  let gw: GatewayApp;
  let url: string;
  let offsetMs = 0;
  const logs: string[] = [];
  const procs: { stop(): Promise<void> }[] = [];

  const post = (path: string, key: string | null, body: unknown, headers: Record<string, string> = {}) => fetch(`${url}${path}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}), ...headers },
  });
  const check = async (key: string, u: string): Promise<Verdict> => {
    const r = await post('/api/check-url', key, { url: u });
    expect(r.status, await r.clone().text()).toBe(200);
    return (await r.json()) as Verdict;
  };
  const eventually = async (what: string, fn: () => Promise<boolean>, ms = 60_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await fn().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what} (operator log ${cp.dir}/operator.log)`);
  };
  const secret = (name: string, key: string) => {
    cp.kubectl(['create', 'secret', 'generic', name, `--from-literal=sha256=${sha(key)}`]);
  };
  const tenant = (name: string, spec: Record<string, unknown>) => cp.kubectlResult(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'phishnet.io/v1alpha1', kind: 'PhishTenant', metadata: { name, namespace: 'default' }, spec,
  }));
  const ready = (name: string) => cp.kubectl(['get', 'pt', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}/{.status.conditions[?(@.type=="Ready")].reason}']);

  beforeAll(async () => {
    cp = await startControlPlane({ apiServerOnly: true });
    procs.push(cp);
    for (const crd of ['phishtenant', 'phishfeed']) cp.kubectl(['apply', '--server-side', '-f', join(ROOT, `manifests/crds/${crd}.yaml`)]);
    cp.kubectl(['wait', '--for=condition=Established', 'crd/phishtenants.phishnet.io', 'crd/phishfeeds.phishnet.io', '--timeout=60s']);
    redis = await startRedis();
    procs.push(redis);
    const redisUrl = `redis://127.0.0.1:${redis.port}`;
    const operator = startOperator(cp, {
      PHISHNET_OPERATOR_PROMETHEUS_URL: 'http://127.0.0.1:1', PHISHNET_OPERATOR_LEADER_ELECTION: 'false', PHISHNET_OPERATOR_REDIS_URL: redisUrl,
      // Secrets are not watched: a changed key Secret is read at the next resync (default 60 s)
      PHISHNET_OPERATOR_TENANT_RESYNC_MS: '3000',
    });
    procs.push({ stop: () => operator.stop(10_000) });
    const inference = await startInference();
    procs.push(inference);
    for (const [name, key] of [['bank-key', KEYS.bank], ['consumer-key-1', KEYS.consumer1], ['metered-key', KEYS.metered], ['limited-key', KEYS.limited]] as const) secret(name, key);
    const rate = { requests: 10_000, windowSeconds: 60 };
    expect(tenant('bank', { apiKeys: [{ secretRef: { name: 'bank-key' } }], rateLimit: rate, operatingPoint: { blockOn: 'suspicious' } }).status).toBe(0);
    expect(tenant('consumer', {
      apiKeys: [{ secretRef: { name: 'consumer-key-1' } }], rateLimit: rate,
      allow: { hosts: ['account-verify.example'] }, corsOrigins: ['chrome-extension://consumerextensionid'],
    }).status).toBe(0);
    expect(tenant('metered', { apiKeys: [{ secretRef: { name: 'metered-key' } }], rateLimit: rate, quota: { daily: 3 } }).status).toBe(0);
    expect(tenant('limited', { apiKeys: [{ secretRef: { name: 'limited-key' } }], rateLimit: { requests: 3, windowSeconds: 3600, burst: 3 } }).status).toBe(0);

    const config = loadConfig({
      PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_REDIS_URL: redisUrl, PHISHNET_GATEWAY_LISTS_REFRESH_MS: '500',
      PHISHNET_GATEWAY_RATE_LIMIT_MAX: '100000', PHISHNET_GATEWAY_ADMIN_PORT: '0',
      // The gateway shares this process with kubectl calls that block the event loop for 100+ ms (execFileSync): a
      // reply that arrives meanwhile must not count as a Redis timeout (the default 50 ms would open the breaker).
      PHISHNET_GATEWAY_REDIS_COMMAND_TIMEOUT_MS: '5000',
    });
    gw = await buildApp(config, {
      logger: { level: 'info', stream: { write: (line: string) => { logs.push(line); } } },
      clock: () => Date.now() + offsetMs,
    });
    procs.push({ stop: () => gw.app.close() });
    url = await gw.app.listen({ port: 0, host: '127.0.0.1' });
    await eventually('the gateway knows the four tenants', async () => gw.tenants.store.size === 4);
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop().catch(() => undefined);
  });

  it('the operator marks the tenants Ready (printer columns) and writes versioned documents to Redis', () => {
    for (const t of ['bank', 'consumer', 'metered', 'limited']) expect(ready(t)).toBe('True/Synced');
    const table = cp.kubectl(['get', 'pt']);
    expect(table).toMatch(/NAME\s+READY\s+REASON\s+KEYS\s+RATE\s+DAILY\s+AGE/);
    expect(table).toMatch(/metered\s+True\s+Synced\s+1\s+10000\s+3/);
  });

  it('no key, an unknown key: 401 problem+json', async () => {
    for (const key of [null, 'not-a-key']) {
      const r = await post('/api/check-url', key, { url: BORDERLINE });
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('two operating points, one borderline URL: different verdicts from one shared model score', async () => {
    const bank = await check(KEYS.bank, BORDERLINE);
    const consumer = await check(KEYS.consumer1, BORDERLINE);
    expect(bank).toMatchObject({ verdict: 'phishing', source: { kind: 'model' }, cached: false });
    expect(consumer).toMatchObject({ verdict: 'suspicious', source: { kind: 'model' }, cached: true });
    expect(consumer.score).toBe(bank.score);
    expect(bank.score).toBeGreaterThanOrEqual(0.9184);
    expect(bank.score).toBeLessThan(0.9932);
  });

  it('a tenant\'s allowlisted host is legitimate for that tenant and phishing for the other', async () => {
    expect(await check(KEYS.consumer1, INTERNAL)).toMatchObject({ verdict: 'legitimate', reasons: ['ALLOWLISTED'], source: { kind: 'list', list: 'tenant-allow' } });
    expect(await check(KEYS.bank, INTERNAL)).toMatchObject({ verdict: 'phishing', source: { kind: 'model' } });
  });

  it('a tenant-scoped PhishFeed referenced by one tenant decides for that tenant only', async () => {
    expect(await check(KEYS.bank, ON_FEED)).toMatchObject({ verdict: 'phishing', source: { kind: 'model' } });
    cp.kubectl(['create', 'configmap', 'corp-allow', '--from-literal=feed=cancel-blockir-facebooks.ga']);
    cp.kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'phishnet.io/v1alpha1', kind: 'PhishFeed', metadata: { name: 'corp-allow', namespace: 'default' },
      spec: { source: { configMapKeyRef: { name: 'corp-allow', key: 'feed' } }, format: 'domain-list', kind: 'allow', scope: 'Tenant' },
    }));
    expect(tenant('bank', {
      apiKeys: [{ secretRef: { name: 'bank-key' } }], rateLimit: { requests: 10_000, windowSeconds: 60 }, operatingPoint: { blockOn: 'suspicious' },
      allow: { feeds: ['corp-allow'] },
    }).status).toBe(0);
    await eventually('the bank allows the feed\'s host', async () => (await check(KEYS.bank, ON_FEED)).source.list === 'default-corp-allow');
    expect(await check(KEYS.bank, ON_FEED)).toMatchObject({ verdict: 'legitimate', reasons: ['ALLOWLISTED'] });
    // Not a global list: another tenant still gets the model's verdict.
    expect(await check(KEYS.consumer1, ON_FEED)).toMatchObject({ verdict: 'suspicious', source: { kind: 'model' } });
    expect(tenant('bad-feed-ref', { apiKeys: [{ secretRef: { name: 'bank-key' } }], rateLimit: { requests: 10 }, deny: { feeds: ['corp-allow'] } }).status).toBe(0);
    expect(tenant('missing-feed', { apiKeys: [{ secretRef: { name: 'bank-key' } }], rateLimit: { requests: 10 }, allow: { feeds: ['nope'] } }).status).toBe(0);
    await eventually('bad references are marked invalid', async () => ready('bad-feed-ref') === 'False/InvalidSpec' && ready('missing-feed') === 'False/FeedNotFound');
  });

  it('Origin: the tenant\'s extension is allowed, another origin is 403', async () => {
    const ok = await post('/api/check-url', KEYS.consumer1, { url: BORDERLINE }, { origin: 'chrome-extension://consumerextensionid' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('chrome-extension://consumerextensionid');
    const bad = await post('/api/check-url', KEYS.consumer1, { url: BORDERLINE }, { origin: 'chrome-extension://someoneelse' });
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as { type: string }).type).toBe('urn:phishnet:problem:origin-not-allowed');
  });

  it('key rotation without a restart: old and new key valid, then the old one removed', async () => {
    secret('consumer-key-2', KEYS.consumer2);
    expect(tenant('consumer', {
      apiKeys: [{ secretRef: { name: 'consumer-key-1' } }, { secretRef: { name: 'consumer-key-2' } }], rateLimit: { requests: 10_000, windowSeconds: 60 },
      allow: { hosts: ['account-verify.example'] }, corsOrigins: ['chrome-extension://consumerextensionid'],
    }).status).toBe(0);
    await eventually('the new key works', async () => (await post('/api/check-url', KEYS.consumer2, { url: BORDERLINE })).status === 200);
    expect((await check(KEYS.consumer1, BORDERLINE)).verdict).toBe('suspicious');
    expect((await check(KEYS.consumer2, BORDERLINE)).verdict).toBe('suspicious');
    expect(tenant('consumer', {
      apiKeys: [{ secretRef: { name: 'consumer-key-2' } }], rateLimit: { requests: 10_000, windowSeconds: 60 },
      allow: { hosts: ['account-verify.example'] }, corsOrigins: ['chrome-extension://consumerextensionid'],
    }).status).toBe(0);
    await eventually('the old key is refused', async () => (await post('/api/check-url', KEYS.consumer1, { url: BORDERLINE })).status === 401);
    expect((await check(KEYS.consumer2, BORDERLINE)).verdict).toBe('suspicious');
    expect(cp.kubectl(['get', 'pt', 'consumer', '-o', 'jsonpath={.status.keys}'])).toBe('1');
  });

  it('a key Secret\'s value replaced in place: the new key works after the tenant resync, the old one is refused', async () => {
    cp.kubectl(['patch', 'secret', 'consumer-key-2', '--type', 'merge', '-p', JSON.stringify({ stringData: { sha256: sha(KEYS.consumer3) } })]);
    await eventually('the replaced key works', async () => (await post('/api/check-url', KEYS.consumer3, { url: BORDERLINE })).status === 200, 30_000);
    expect((await check(KEYS.consumer3, BORDERLINE)).verdict).toBe('suspicious');
    expect((await post('/api/check-url', KEYS.consumer2, { url: BORDERLINE })).status).toBe(401);
    expect(ready('consumer')).toBe('True/Synced');
  });

  it('quota used up → 429 quota-exceeded with the quota headers; the next UTC day → allowed again', async () => {
    for (const left of [2, 1, 0]) {
      const r = await post('/api/check-url', KEYS.metered, { url: BORDERLINE });
      expect(r.status).toBe(200);
      expect([r.headers.get('quota-limit'), r.headers.get('quota-remaining'), r.headers.get('quota-period')]).toEqual(['3', String(left), 'day']);
      expect(Number(r.headers.get('ratelimit-remaining'))).toBeGreaterThan(0);
    }
    const refused = await post('/api/check-url', KEYS.metered, { url: BORDERLINE });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { type: string }).type).toBe('urn:phishnet:problem:quota-exceeded');
    expect(refused.headers.get('quota-remaining')).toBe('0');
    const p = quotaPeriods(Date.now() + offsetMs);
    expect(Math.abs(Number(refused.headers.get('retry-after')) - (p.dayEndsAt - (Date.now() + offsetMs)) / 1000)).toBeLessThan(2);
    // A batch larger than what is left is refused whole, too.
    expect((await post('/api/check-urls', KEYS.metered, { urls: [BORDERLINE, INTERNAL] })).status).toBe(429);

    offsetMs += p.dayEndsAt - (Date.now() + offsetMs) + 1_000;
    const next = await post('/api/check-url', KEYS.metered, { url: BORDERLINE });
    expect(next.status).toBe(200);
    expect(next.headers.get('quota-remaining')).toBe('2');
  });

  it('GET /api/usage: the tenant\'s own requests, verdict mix and quota left', async () => {
    const r = await fetch(`${url}/api/usage`, { headers: { 'x-api-key': KEYS.metered } });
    expect(r.status).toBe(200);
    const u = (await r.json()) as { tenant: string; day: { requests: number; lookups: number; verdicts: Record<string, number>; quota: { limit: number; remaining: number } } };
    expect(u.tenant).toBe('default-metered');
    expect(u.day).toMatchObject({ requests: 1, lookups: 1, verdicts: { suspicious: 1, phishing: 0, legitimate: 0 }, quota: { limit: 3, remaining: 2 } });
    const bank = (await (await fetch(`${url}/api/usage`, { headers: { 'x-api-key': KEYS.bank } })).json()) as { tenant: string; month: { quota: unknown } };
    expect(bank).toMatchObject({ tenant: 'default-bank', month: { quota: null } });
    // Without a tenant key there are no figures to show.
    expect((await fetch(`${url}/api/usage`)).status).toBe(401);
  });

  it('a malformed PhishTenant is refused by the API server\'s schema, or marked invalid by the operator', async () => {
    const base = { apiKeys: [{ secretRef: { name: 'bank-key' } }], rateLimit: { requests: 10 } };
    const outOfBounds = tenant('bad-threshold', { ...base, operatingPoint: { threshold: 2 } });
    expect(outOfBounds.status).not.toBe(0);
    expect(outOfBounds.stderr).toMatch(/threshold/);
    const both = tenant('bad-both', { ...base, operatingPoint: { blockOn: 'suspicious', threshold: 0.95 } });
    expect(both.status).not.toBe(0);
    expect(both.stderr).toMatch(/blockOn or threshold/);
    expect(tenant('bad-nokeys', { apiKeys: [], rateLimit: { requests: 10 } }).status).not.toBe(0);

    expect(tenant('missing-secret', { ...base, apiKeys: [{ secretRef: { name: 'no-such-secret' } }] }).status).toBe(0);
    expect(tenant('platform-allow', { ...base, allow: { hosts: ['github.io'] } }).status).toBe(0);
    cp.kubectl(['create', 'secret', 'generic', 'raw-key', '--from-literal=sha256=this-is-the-key-itself']);
    expect(tenant('raw-key', { ...base, apiKeys: [{ secretRef: { name: 'raw-key' } }] }).status).toBe(0);
    await eventually('the three are marked invalid', async () => ready('missing-secret') === 'False/SecretNotFound'
      && ready('platform-allow') === 'False/InvalidSpec' && ready('raw-key') === 'False/KeyInvalid');
    expect(gw.tenants.store.size).toBe(4);
    // The committed samples are valid for the API server.
    cp.kubectl(['create', 'namespace', 'phishnet']);
    const sample = cp.kubectlResult(['apply', '--dry-run=server', '-f', join(ROOT, 'manifests/samples/phishtenants.yaml')]);
    expect(sample.status, sample.stderr).toBe(0);
  });

  it('no key material in logs or metrics; the tenant label holds configured tenants only', async () => {
    const metrics = await (await fetch(`${await gw.admin.listen({ port: 0, host: '127.0.0.1' })}/metrics`)).text();
    const operatorLog = readFileSync(join(cp.dir, 'operator.log'), 'utf8');
    const texts = { metrics, gatewayLog: logs.join(''), operatorLog };
    for (const key of Object.values(KEYS)) {
      for (const [what, text] of Object.entries(texts)) {
        expect(text.includes(key), `${what} holds a key`).toBe(false);
        expect(text.includes(sha(key)), `${what} holds a key digest`).toBe(false);
      }
    }
    expect(operatorLog.includes('this-is-the-key-itself')).toBe(false);
    const labels = new Set([...metrics.matchAll(/tenant="([^"]*)"/g)].map((m) => m[1]));
    expect([...labels].sort()).toEqual(['default-bank', 'default-consumer', 'default-metered']);
    expect(metrics).toMatch(/phishnet_gateway_tenant_quota_used_ratio\{tenant="default-metered",period="day"\} 0\.33/);
  });

  it('Redis stopped: the tenants stay known, per-replica limits still hold, verdicts are still served', async () => {
    await redis.stop();
    for (let i = 0; i < 3; i++) {
      const r = await post('/api/check-url', KEYS.limited, { url: BORDERLINE });
      expect(r.status, await r.clone().text()).toBe(200);
      expect(((await r.json()) as Verdict).verdict).toBe('suspicious');
    }
    const refused = await post('/api/check-url', KEYS.limited, { url: BORDERLINE });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { type: string }).type).toBe('urn:phishnet:problem:rate-limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await check(KEYS.bank, BORDERLINE)).verdict).toBe('phishing');
    const usage = await fetch(`${url}/api/usage`, { headers: { 'x-api-key': KEYS.bank } });
    expect(usage.status).toBe(503);
  });
});

describe.skipIf(OPT_IN)('PhishTenant to gateway (opt-in)', () => {
  it.skip('set PHISHNET_CONTROL_PLANE=1 after `bash scripts/k8s-binaries.sh` to run it', () => undefined);
});
