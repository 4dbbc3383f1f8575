/**
 * Control-plane tier, PhishFeed stories: a real etcd + kube-apiserver (@phishnet/testing startControlPlane) with the
 * generated PhishFeed CRD, a real redis-server, a local HTTP server serving real feed snapshots (fixtures/feeds/) in
 * every format, and the operator process (operator/src/main.ts) syncing them into Redis in the lists layout.
 *
 * Opt-in like the other control-plane suites: PHISHNET_CONTROL_PLANE=1 (scripts/control-plane.sh); when opted in and a
 * binary is missing, the suite FAILS with the install command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LISTS_INDEX_KEY, OLD_VERSION_GRACE_SECONDS, ListSnapshot, compileList, decodeHashes, listDataKey, parseFeed, parseIndexEntry, verifyData,
  type FeedFormat, type ListIndexEntry,
} from '@phishnet/lists';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlPlane, type FeedServer, type Proc, type RedisServer, ROOT, startControlPlane, startFeedServer, startOperator, startRedis, waitFor } from '@phishnet/testing';

const OPT_IN = process.env.PHISHNET_CONTROL_PLANE === '1';
const FIXTURES = join(ROOT, 'fixtures/feeds');
const fixture = (f: string) => readFileSync(join(FIXTURES, f), 'utf8');
const NS = 'default';

interface FeedStatus {
  list?: string; entries?: number; rejectedEntries?: number; version?: string; etag?: string; failures?: number;
  lastSyncTime?: string; lastSuccessfulSyncTime?: string; observedGeneration?: number;
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

/** One PhishFeed per format, each served from a real snapshot; `probe` is a URL of the feed that the list must match. */
const FORMATS: { name: string; file: string; format: FeedFormat; kind: 'deny' | 'allow'; topN?: number; probe: string }[] = [
  { name: 'openphish', file: 'openphish.url-list.txt', format: 'url-list', kind: 'deny', probe: 'https://connectsmartweb.pages.dev/' },
  { name: 'phishtank-csv', file: 'phishtank.csv', format: 'phishtank-csv', kind: 'deny', probe: '' },
  { name: 'phishtank-json', file: 'phishtank.json', format: 'phishtank-json', kind: 'deny', probe: '' },
  { name: 'urlhaus', file: 'urlhaus.csv', format: 'urlhaus-csv', kind: 'deny', probe: '' },
  { name: 'domains', file: 'domains.domain-list.txt', format: 'domain-list', kind: 'deny', probe: '' },
  { name: 'tranco', file: 'tranco.csv', format: 'tranco-csv', kind: 'allow', topN: 100, probe: 'https://www.google.com/search?q=x' },
];

function feedDoc(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'phishnet.io/v1alpha1', kind: 'PhishFeed', metadata: { name, namespace: NS }, spec: { refreshInterval: '1h', ...spec } });
}

describe.runIf(OPT_IN)('control plane: PhishFeeds synced into Redis by the operator', () => {
  let cp: ControlPlane;
  let redis: RedisServer;
  let feeds: FeedServer;
  let operator: Proc | undefined;
  let metricsPort = 0;
  let requestSeq = 0;

  const launchOperator = async () => {
    const logText = () => { try { return readFileSync(join(cp.dir, 'operator.log'), 'utf8'); } catch { return ''; } };
    const offset = logText().length; // this launch's lines start here
    const logLines = () => logText().slice(offset).split('\n');
    operator = startOperator(cp, {
      PHISHNET_OPERATOR_PROMETHEUS_URL: 'http://127.0.0.1:1',
      PHISHNET_OPERATOR_LEADER_ELECTION: 'false',
      PHISHNET_OPERATOR_REDIS_URL: redis.url,
      PHISHNET_OPERATOR_FEED_CLEANUP_TIMEOUT_MS: '3000',
    });
    await waitFor(`operator metrics listening (log ${cp.dir}/operator.log)`, () => {
      const line = logLines().find((l) => l.includes('"metrics listening"'));
      if (line) metricsPort = (JSON.parse(line) as { port: number }).port;
      return line !== undefined;
    }, 30_000, 100).catch((err: unknown) => {
      throw new Error(`${String(err)}; pid ${operator?.child.pid} exit ${operator?.child.exitCode} ${operator?.child.signalCode}; log since launch: ${logLines().join('\n').slice(0, 3000)}`);
    });
  };
  const get = (name: string) => JSON.parse(cp.kubectl(['get', 'phishfeed', name, '-n', NS, '-o', 'json'])) as { metadata: { generation: number }; status?: FeedStatus };
  const synced = (s: FeedStatus | undefined) => s?.conditions?.find((c) => c.type === 'Synced');
  const index = async (list: string): Promise<{ entry: ListIndexEntry; hashes: Buffer[] } | null> => {
    const json = await redis.client.hget(LISTS_INDEX_KEY, list);
    if (json === null) return null;
    const entry = parseIndexEntry(json);
    const data = await redis.client.getBuffer(listDataKey(list, entry.version));
    if (data === null) throw new Error(`half list: index names ${entry.version}, data key missing`);
    verifyData(entry, data); // entries count and sha256 match: never half a list
    return { entry, hashes: decodeHashes(data) };
  };
  /** Asks for a sync now (the requested-at annotation); returns the annotation value. */
  const requestSync = (name: string) => {
    requestSeq += 1;
    const value = `${Date.now()}-${requestSeq}`;
    cp.kubectl(['annotate', 'phishfeed', name, '-n', NS, `phishnet.io/requested-at=${value}`, '--overwrite']);
    return value;
  };
  /** Requests a sync and waits until the operator has handled it (whatever the outcome). */
  const syncNow = async (name: string) => {
    const value = requestSync(name);
    await waitStatus(name, `sync request ${value} handled`, (s) => (s as { lastHandledRequestedAt?: string } | undefined)?.lastHandledRequestedAt === value);
    return get(name).status!;
  };
  const waitStatus = (name: string, what: string, ok: (s: FeedStatus | undefined) => boolean, ms = 60_000) =>
    waitFor(`${name}: ${what} (operator log ${cp.dir}/operator.log)`, () => ok(get(name).status), ms, 200);
  const events = (name: string) => cp.kubectl(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={.items[*].reason}']);
  const metric = async (name: string, labels: string) => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  beforeAll(async () => {
    cp = await startControlPlane({ apiServerOnly: true }); // PhishFeeds create no pods
    // The PhishModel CRD too: the operator's PhishModel controller watches it (absent, its informer only logs errors).
    for (const crd of ['phishfeed', 'phishmodel']) cp.kubectl(['apply', '--server-side', '-f', join(ROOT, `manifests/crds/${crd}.yaml`)]);
    cp.kubectl(['wait', '--for=condition=Established', 'crd/phishfeeds.phishnet.io', 'crd/phishmodels.phishnet.io', '--timeout=60s']);
    redis = await startRedis();
    feeds = await startFeedServer();
    for (const f of FORMATS) feeds.docs.set(`/${f.name}`, { body: fixture(f.file) });
    await launchOperator();
  });

  afterAll(async () => {
    await operator?.stop(10_000);
    await feeds?.close();
    await redis?.stop();
    await cp?.stop();
  });

  it.each([
    ['both url and configMapKeyRef', feedDoc('bad-source', { source: { url: 'https://x.example/f', configMapKeyRef: { name: 'c', key: 'k' } }, format: 'url-list', kind: 'deny' }), /exactly one of url, configMapKeyRef, secretKeyRef/],
    ['no source', feedDoc('no-source', { source: {}, format: 'url-list', kind: 'deny' }), /exactly one of url/],
    ['unknown format', feedDoc('bad-format', { source: { url: 'https://x.example/f' }, format: 'rss', kind: 'deny' }), /format/],
    ['refreshInterval below 1m (CEL)', feedDoc('too-often', { source: { url: 'https://x.example/f' }, format: 'url-list', kind: 'deny', refreshInterval: '30s' }), /at least 1m/],
    ['tranco-csv without topN (CEL)', feedDoc('no-topn', { source: { url: 'https://x.example/f' }, format: 'tranco-csv', kind: 'allow' }), /tranco-csv needs topN/],
    ['an ftp URL', feedDoc('ftp', { source: { url: 'ftp://x.example/f' }, format: 'url-list', kind: 'deny' }), /source.url/],
    ['a dotted name (not a list name)', feedDoc('my.feed', { source: { url: 'https://x.example/f' }, format: 'url-list', kind: 'deny' }), /only lower-case letters, digits and dashes/],
  ])('the API server refuses a bad spec: %s', (_n, doc, why) => {
    expect(() => cp.kubectl(['apply', '-f', '-'], doc)).toThrow(why);
  });

  it('the sample PhishFeeds (manifests/samples/phishfeeds.yaml) pass a server-side dry run', () => {
    cp.kubectl(['create', 'namespace', 'phishnet']);
    const out = cp.kubectl(['apply', '--dry-run=server', '-f', join(ROOT, 'manifests/samples/phishfeeds.yaml')]);
    expect(out.trim().split('\n')).toHaveLength(3);
  });

  it.each(FORMATS)('$format: synced into Redis with the right entries, status and a Synced event', async (f) => {
    cp.kubectl(['apply', '-f', '-'], feedDoc(f.name, { source: { url: `${feeds.base}/${f.name}` }, format: f.format, kind: f.kind, ...(f.topN ? { topN: f.topN } : {}) }));
    await waitStatus(f.name, 'Synced=True', (s) => synced(s)?.status === 'True');
    const want = parseFeed(f.format, fixture(f.file), f.kind, f.topN ? { topN: f.topN } : {});
    const st = get(f.name).status!;
    expect(st).toMatchObject({ list: `${NS}-${f.name}`, entries: want.hashes.length, rejectedEntries: Object.values(want.rejected).reduce((a, b) => a + b, 0), failures: 0, observedGeneration: 1 });
    expect(st.conditions?.find((c) => c.type === 'Stale')).toMatchObject({ status: 'False', reason: 'Fresh' });
    const served = await index(`${NS}-${f.name}`);
    expect(served?.entry).toMatchObject({ kind: f.kind, version: st.version, entries: want.hashes.length });
    expect(served?.hashes.map((h) => h.toString('hex')).sort()).toEqual(want.hashes.map((h) => h.toString('hex')).sort());
    if (f.probe) {
      const snap = new ListSnapshot([compileList({ name: `${NS}-${f.name}`, kind: f.kind, version: st.version! }, served!.hashes)]);
      expect(snap.decide(f.probe)).toEqual({ list: `${NS}-${f.name}`, kind: f.kind });
    }
    expect(events(f.name)).toContain('Synced');
    expect(await metric('phishnet_feed_entries', `feed="${NS}-${f.name}"`)).toBe(want.hashes.length);
  });

  it('a ConfigMap source: synced, and a changed ConfigMap is picked up on the next sync', async () => {
    cp.kubectl(['create', 'configmap', 'local-deny', '-n', NS, '--from-literal=urls.txt=https://cm-one.example/login\nhttps://cm-two.example/a\n']);
    cp.kubectl(['apply', '-f', '-'], feedDoc('local', { source: { configMapKeyRef: { name: 'local-deny', key: 'urls.txt' } }, format: 'url-list', kind: 'deny' }));
    await waitStatus('local', 'Synced=True', (s) => synced(s)?.status === 'True');
    expect(get('local').status?.entries).toBe(2);
    cp.kubectl(['patch', 'configmap', 'local-deny', '-n', NS, '--type=merge', '-p', JSON.stringify({ data: { 'urls.txt': 'https://cm-one.example/login\n' } })]);
    requestSync('local');
    await waitStatus('local', 'entries 1', (s) => s?.entries === 1);
  });

  it('credentials from a Secret (credentialsSecretRef): 401 without them, Synced with them; a Secret key as the source', async () => {
    feeds.docs.set('/private', { body: 'https://private-one.example/x\nhttps://private-two.example/y\n', authorization: 'Bearer s3cret' });
    cp.kubectl(['apply', '-f', '-'], feedDoc('private', { source: { url: `${feeds.base}/private` }, format: 'url-list', kind: 'deny', credentialsSecretRef: { name: 'private-auth' } }));
    await waitStatus('private', 'Synced=False/SourceNotFound (no Secret yet)', (s) => synced(s)?.reason === 'SourceNotFound');
    cp.kubectl(['create', 'secret', 'generic', 'private-auth', '-n', NS, '--from-literal=token=wrong']);
    let st = await syncNow('private');
    expect(synced(st)).toMatchObject({ status: 'False', reason: 'CredentialsInvalid' });
    cp.kubectl(['patch', 'secret', 'private-auth', '-n', NS, '--type=merge', '-p', JSON.stringify({ stringData: { token: 's3cret' } })]);
    st = await syncNow('private');
    expect(synced(st)).toMatchObject({ status: 'True', reason: 'Synced' });
    expect(st.entries).toBe(2);

    cp.kubectl(['create', 'secret', 'generic', 'secret-feed', '-n', NS, '--from-literal=domains.txt=secret-one.example\nsecret-two.example\nsecret-three.example\n']);
    cp.kubectl(['apply', '-f', '-'], feedDoc('secret-src', { source: { secretKeyRef: { name: 'secret-feed', key: 'domains.txt' } }, format: 'domain-list', kind: 'deny' }));
    await waitStatus('secret-src', 'Synced=True', (s) => synced(s)?.status === 'True');
    expect(get('secret-src').status?.entries).toBe(3);
  });

  it('the feed changes: the next sync swaps in a new version; the old data key expires after the grace period', async () => {
    const before = get('openphish').status!;
    const list = `${NS}-openphish`;
    feeds.docs.set('/openphish', { body: `${fixture('openphish.url-list.txt')}https://brand-new-phish.example/verify\n` });
    requestSync('openphish');
    await waitStatus('openphish', 'a new version', (s) => s?.version !== undefined && s.version !== before.version);
    const after = get('openphish').status!;
    expect(after.entries).toBe((before.entries ?? 0) + 1);
    expect(synced(after)).toMatchObject({ status: 'True', reason: 'Synced' });
    const served = await index(list);
    expect(served?.entry.version).toBe(after.version);
    const ttl = await redis.client.ttl(listDataKey(list, before.version!));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(OLD_VERSION_GRACE_SECONDS);
    expect(await redis.client.ttl(listDataKey(list, after.version!))).toBe(-1);
  });

  it('304 Not Modified: no rewrite, same version, success time moves', async () => {
    const before = get('openphish').status!;
    const n304 = feeds.count('/openphish', 304);
    await new Promise((r) => setTimeout(r, 1100)); // RFC 3339 seconds: let the success time be able to move
    requestSync('openphish');
    await waitStatus('openphish', 'a 304 sync', (s) => s?.lastSuccessfulSyncTime !== before.lastSuccessfulSyncTime);
    expect(feeds.count('/openphish', 304)).toBe(n304 + 1);
    expect(feeds.requests.filter((r) => r.path === '/openphish').at(-1)?.headers['if-none-match']).toBe(before.etag);
    const after = get('openphish').status!;
    expect(after.version).toBe(before.version);
    expect(synced(after)).toMatchObject({ status: 'True', reason: 'Unchanged' });
    expect((await index(`${NS}-openphish`))?.entry.updatedAt).toBeDefined();
  });

  it('the served data key lost (Redis restarted empty, or evicted): the next sync writes it again instead of trusting its ETag', async () => {
    const before = get('openphish').status!;
    await redis.client.del(listDataKey(`${NS}-openphish`, before.version!));
    const after = await syncNow('openphish');
    expect(feeds.requests.filter((r) => r.path === '/openphish').at(-1)).toMatchObject({ status: 200 });
    expect(feeds.requests.filter((r) => r.path === '/openphish').at(-1)?.headers['if-none-match']).toBeUndefined();
    expect(after.version).toBe(before.version); // content-addressed: same content, same version
    expect((await index(`${NS}-openphish`))?.entry.entries).toBe(before.entries);
  });

  it.each([
    ['HTTP 500', { status: 500 }, 'HTTPError'],
    ['a malformed document (HTML error page as phishtank-json)', { body: fixture('malformed/phishtank-html-error.json') }, 'MalformedFeed'],
    ['a truncated JSON document', { body: fixture('malformed/phishtank-truncated.json') }, 'MalformedFeed'],
  ])('%s: the last good version stays served; Synced=False with the reason, an event, a failure metric', async (_n, doc, reason) => {
    const name = 'phishtank-json';
    const list = `${NS}-${name}`;
    // start from a good state
    feeds.docs.set(`/${name}`, { body: fixture('phishtank.json') });
    const good = await syncNow(name);
    expect(synced(good)?.status).toBe('True');
    const servedBefore = await index(list);
    const failuresBefore = await metric('phishnet_feed_sync_failures_total', `reason="${reason}"`);

    feeds.docs.set(`/${name}`, doc);
    const bad = await syncNow(name);
    expect(synced(bad)).toMatchObject({ status: 'False', reason });
    expect(bad).toMatchObject({ version: good.version, entries: good.entries, lastSuccessfulSyncTime: good.lastSuccessfulSyncTime });
    expect(bad.failures).toBeGreaterThanOrEqual(1);
    expect((await index(list))?.entry).toEqual(servedBefore?.entry);
    await waitFor('SyncFailed event', () => events(name).includes('SyncFailed'), 10_000, 200);
    expect(await metric('phishnet_feed_sync_failures_total', `reason="${reason}"`)).toBeGreaterThan(failuresBefore);
    expect(await metric('phishnet_feed_sync_failures_total', `feed="${list}"`)).toBeGreaterThan(0);
  });

  it('the operator killed in the middle of a sync never leaves a half list; the restarted operator completes it', async () => {
    const list = `${NS}-urlhaus`;
    const before = await index(list);
    expect(before).not.toBeNull();
    const big = Array.from({ length: 20_000 }, (_, i) => `https://host-${i}.mid-sync.example/p/${i}`).join('\n');
    feeds.docs.set('/urlhaus-big', { body: big, slowMs: 8000 });
    cp.kubectl(['patch', 'phishfeed', 'urlhaus', '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { source: { url: `${feeds.base}/urlhaus-big` }, format: 'url-list' } })]);
    await waitFor('the download started', () => feeds.count('/urlhaus-big') > 0, 30_000, 50);
    await new Promise((r) => setTimeout(r, 2000));
    operator?.child.kill('SIGKILL');
    await operator?.stop();
    const during = await index(list); // verifies entries and sha256 of the data it names
    expect(during?.entry).toEqual(before?.entry);

    feeds.docs.set('/urlhaus-big', { body: big }); // fast this time
    await launchOperator();
    await waitStatus('urlhaus', 'the new version', (s) => s?.entries === 20_000 && synced(s)?.status === 'True', 90_000);
    const after = await index(list);
    expect(after?.entry.entries).toBe(20_000);
    expect(after?.entry.version).toBe(get('urlhaus').status?.version);
  });

  it('deleting a PhishFeed removes its list from the index', async () => {
    const list = `${NS}-domains`;
    expect(await index(list)).not.toBeNull();
    cp.kubectl(['delete', 'phishfeed', 'domains', '-n', NS, '--wait=true', '--timeout=60s']);
    expect(await redis.client.hget(LISTS_INDEX_KEY, list)).toBeNull();
  });

  it('Redis down: a sync fails with RedisUnavailable (and is retried)', async () => {
    await redis.stop();
    const st = await syncNow('openphish');
    expect(synced(st)).toMatchObject({ status: 'False', reason: 'RedisUnavailable' });
    expect(await metric('phishnet_feed_sync_failures_total', 'reason="RedisUnavailable"')).toBeGreaterThan(0);
  });

  it('deleting a PhishFeed while Redis is down does not hang: the finalizer is dropped after the cleanup timeout, with a warning', async () => {
    const t0 = Date.now();
    cp.kubectl(['delete', 'phishfeed', 'tranco', '-n', NS, '--wait=true', '--timeout=90s']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2500);
    expect(cp.kubectl(['get', 'events', '-n', NS, '--field-selector', 'reason=CleanupAbandoned', '-o', 'jsonpath={.items[*].involvedObject.name}'])).toContain('tranco');
  });
});

describe.skipIf(OPT_IN)('control plane: PhishFeeds (opt-in)', () => {
  it.skip('set PHISHNET_CONTROL_PLANE=1 after `bash scripts/k8s-binaries.sh` to run the PhishFeed stories', () => undefined);
});
