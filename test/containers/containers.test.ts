/**
 * Containers tier: the project's own images (targets inference and gateway of the root Dockerfile), built offline by
 * scripts/docker.sh on a local dockerd, run with testcontainers the way a cluster would run them: read-only root
 * filesystem, a tmpfs /tmp, a non-root user, the model artifact mounted read-only, and the gateway reaching inference
 * only over a private Docker network (by container name; neither container is on the default bridge). The host reaches each container only through ports mapped to
 * 127.0.0.1 (never a container address).
 *
 * Env:
 *   PHISHNET_CONTAINER_TESTS=0         skip this tier (reported as skipped, never as passed); anything else runs it
 *                                      and fails with the exact reason when Docker or an image is unusable.
 *   PHISHNET_CONTAINER_SKIP_BUILD=1    do not run scripts/docker.sh first (the images must exist already).
 * The model is `modelPath()` of @phishnet/testing (the bundled artifact, or $PHISHNET_TEST_MODEL),
 * mounted read-only. When the bundled artifact exists, a second inference container also proves the image's own copy
 * (its default PHISHNET_INFERENCE_MODEL_URI) loads and is the same file.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GenericContainer, Network, PullPolicy, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { modelPath } from '@phishnet/testing';
import { DEFAULT_MODEL_PATH as BUNDLED_MODEL } from '@phishnet/inference/model';
import { compileList, parseFeed } from '@phishnet/lists';

// The Ryuk reaper image cannot be pulled here; this file stops everything it starts (and removes leftovers by label).
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCKER = '/usr/bin/docker';
const INFERENCE_IMAGE = 'phishnet/inference:dev';
const GATEWAY_IMAGE = 'phishnet/gateway:dev';
const INFERENCE_PORT = 8000;
const GATEWAY_PORT = 8080;
const MODEL_IN_CONTAINER = '/models/model.tar.gz';
/** Every container/network this file creates carries this label, so a crashed run's leftovers can be removed. */
const TIER_LABEL = { 'io.phishnet.test': 'containers-tier' };
const ENABLED = process.env.PHISHNET_CONTAINER_TESTS !== '0';
/**
 * onnxruntime-node (1.30, Linux) starts a telemetry client that uploads to a public Microsoft endpoint whenever it finds a
 * CA bundle; tests send traffic only to containers of their own, so it is switched off in every inference container.
 */
const NO_ORT_TELEMETRY = { ORT_DISABLE_TELEMETRY: '1' };
/** The private network's name prefix (testcontainers' Network takes its name from a Uuid source). */
const NETWORK_PREFIX = 'phishnet-containers-tier-';

/** GenericContainer plus the Docker `ReadonlyRootfs` host option, which testcontainers has no builder method for. */
class ServiceContainer extends GenericContainer {
  withReadOnlyRootFilesystem(): this {
    this.hostConfig.ReadonlyRootfs = true;
    return this;
  }
}

/** Runs the docker CLI; rejects with its stderr. */
async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run(DOCKER, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** Removes containers (by label) and networks (by name prefix) left by an earlier, interrupted run of this file. */
async function removeLeftovers(): Promise<void> {
  const ids = (await docker('ps', '-aq', '--filter', `label=io.phishnet.test=${TIER_LABEL['io.phishnet.test']}`))
    .split('\n').filter(Boolean);
  if (ids.length > 0) await docker('rm', '-f', ...ids);
  const nets = (await docker('network', 'ls', '-q', '--filter', `name=${NETWORK_PREFIX}`)).split('\n').filter(Boolean);
  if (nets.length > 0) await docker('network', 'rm', ...nets);
}

/** Last log lines (stdout and stderr) of a container, for failure messages. */
async function tailLogs(c: StartedTestContainer | undefined, lines = 40): Promise<string> {
  if (!c) return '';
  const r = await run(DOCKER, ['logs', '--tail', String(lines), c.getId()]).catch(() => ({ stdout: '', stderr: '' }));
  return `--- last ${lines} log lines of ${c.getName()} ---\n${r.stdout}${r.stderr}`;
}

/** Starts a container, keeping its output so that a failed start (e.g. never ready) reports why it failed. */
async function startLogged(name: string, c: GenericContainer): Promise<StartedTestContainer> {
  let out = '';
  c.withLogConsumer((stream) => stream.on('data', (d: Buffer | string) => { out = (out + d.toString()).slice(-8_000); }));
  try {
    return await c.start();
  } catch (e) {
    throw new Error(`${name} container did not start: ${(e as Error).message}\n--- its output ---\n${out}`, { cause: e });
  }
}

let network: StartedNetwork | undefined;
let inference: StartedTestContainer | undefined;
let gateway: StartedTestContainer | undefined;
let modelDigest = '';
const PHISHING = 'http://paypal.com.secure-login.example.tk/verify';
const LEGIT = 'https://www.wikipedia.org/';

describe.skipIf(!ENABLED)('containers tier: Dockerfiles built offline, run with testcontainers', () => {
  beforeAll(async () => {
    // Docker must work here; if it does not, say exactly why (this tier is required unless PHISHNET_CONTAINER_TESTS=0).
    if (process.env.PHISHNET_CONTAINER_SKIP_BUILD !== '1') {
      try {
        await run('bash', [`${ROOT}scripts/docker.sh`, 'inference', 'gateway'], { maxBuffer: 64 * 1024 * 1024 });
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`scripts/docker.sh failed (set PHISHNET_CONTAINER_TESTS=0 to skip this tier):\n${err.stderr ?? err.message}`);
      }
    }
    try {
      await docker('info', '--format', '{{.ServerVersion}}');
    } catch (e) {
      throw new Error(`no Docker engine answers on /var/run/docker.sock (run \`bash scripts/docker.sh\`): ${(e as Error).message}`);
    }
    for (const image of [INFERENCE_IMAGE, GATEWAY_IMAGE]) {
      // testcontainers would try to pull a missing image, and nothing can be pulled here.
      await docker('image', 'inspect', '--format', '{{.Id}}', image).catch(() => {
        throw new Error(`image ${image} is missing: its Dockerfile target did not build (run \`bash scripts/docker.sh\`)`);
      });
    }
    await removeLeftovers();

    const model = modelPath();
    modelDigest = createHash('sha256').update(await readFile(model)).digest('hex');
    const runId = randomUUID().slice(0, 8);
    const inferenceName = `phishnet-ct-inference-${runId}`;
    network = await new Network({ nextUuid: () => `${NETWORK_PREFIX}${runId}` }).start();
    inference = await startLogged(INFERENCE_IMAGE, new ServiceContainer(INFERENCE_IMAGE)
      .withPullPolicy(PullPolicy.neverPull())
      .withLabels(TIER_LABEL)
      .withReadOnlyRootFilesystem()
      .withTmpFs({ '/tmp': 'rw,nosuid,nodev,size=64m' })
      .withBindMounts([{ source: model, target: MODEL_IN_CONTAINER, mode: 'ro' }])
      .withEnvironment({
        PHISHNET_INFERENCE_MODEL_URI: MODEL_IN_CONTAINER,
        PHISHNET_INFERENCE_MODEL_SHA256: modelDigest,
        PHISHNET_INFERENCE_HOST: '0.0.0.0',
        PHISHNET_INFERENCE_PORT: String(INFERENCE_PORT),
        PHISHNET_INFERENCE_WORKERS: '1',
        ...NO_ORT_TELEMETRY,
      })
      .withResourcesQuota({ memory: 1, cpu: 1 })
      // By name, not alias: testcontainers attaches a container with aliases to the default bridge as well.
      .withName(inferenceName)
      .withNetwork(network)
      .withExposedPorts(INFERENCE_PORT)
      .withWaitStrategy(Wait.forHttp('/readyz', INFERENCE_PORT).forStatusCode(200))
      .withStartupTimeout(60_000));

    gateway = await startLogged(GATEWAY_IMAGE, new ServiceContainer(GATEWAY_IMAGE)
      .withPullPolicy(PullPolicy.neverPull())
      .withLabels(TIER_LABEL)
      .withReadOnlyRootFilesystem()
      .withTmpFs({ '/tmp': 'rw,nosuid,nodev,size=16m' })
      .withEnvironment({
        PHISHNET_GATEWAY_HOST: '0.0.0.0',
        PHISHNET_GATEWAY_PORT: String(GATEWAY_PORT),
        PHISHNET_GATEWAY_INFERENCE_URL: `http://${inferenceName}:${INFERENCE_PORT}`,
      })
      .withResourcesQuota({ memory: 0.5, cpu: 1 })
      .withName(`phishnet-ct-gateway-${runId}`)
      .withNetwork(network)
      .withExposedPorts(GATEWAY_PORT)
      .withWaitStrategy(Wait.forHttp('/readyz', GATEWAY_PORT).forStatusCode(200))
      .withStartupTimeout(60_000));
  }, 1_200_000);

  afterAll(async () => {
    await gateway?.stop({ timeout: 10_000 }).catch(() => undefined);
    await inference?.stop({ timeout: 10_000 }).catch(() => undefined);
    await network?.stop().catch(() => undefined);
  }, 60_000);

  const url = (c: StartedTestContainer | undefined, port: number, path: string) => {
    if (!c) throw new Error('container did not start');
    // Mapped ports are bound on the host; talk to 127.0.0.1, never to a container address.
    return `http://127.0.0.1:${c.getMappedPort(port)}${path}`;
  };

  test('inference image: runs as a non-root user on a read-only root filesystem', async () => {
    const id = await inference!.exec(['id', '-u']);
    expect(id.exitCode).toBe(0);
    expect(Number(id.output.trim())).not.toBe(0);
    const write = await inference!.exec(['sh', '-c', 'touch /probe-write 2>&1; echo "rc=$?"']);
    expect(write.output).toMatch(/Read-only file system/);
    const inspect = JSON.parse(await docker('inspect', inference!.getId())) as { HostConfig: { ReadonlyRootfs: boolean } }[];
    expect(inspect[0]!.HostConfig.ReadonlyRootfs).toBe(true);
  });

  test('inference image: POST /v1/predict scores with the mounted model and names its digest', async () => {
    const res = await fetch(url(inference, INFERENCE_PORT, '/v1/predict'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ urls: [PHISHING, LEGIT] }),
    });
    const body = await res.text();
    expect(res.status, `${body}\n${await tailLogs(inference)}`).toBe(200);
    expect(res.headers.get('x-model-digest')).toBe(modelDigest);
    const json = JSON.parse(body) as { model: { digest: string }; predictions: { url: string; score: number; verdict: string; reasons: string[] }[] };
    expect(json.model.digest).toBe(modelDigest);
    expect(json.predictions.map((p) => p.url)).toEqual([PHISHING, LEGIT]);
    const [phish, legit] = json.predictions;
    for (const p of json.predictions) {
      expect(p.score).toBeGreaterThanOrEqual(0);
      expect(p.score).toBeLessThanOrEqual(1);
    }
    expect(phish!.score).toBeGreaterThan(legit!.score);
    expect(phish!.verdict).not.toBe('legitimate');
    expect(phish!.reasons.length).toBeGreaterThan(0);
    expect(legit!.verdict).toBe('legitimate');
  });

  test('inference image: a bad request is a 400 problem+json and the container keeps serving', async () => {
    const res = await fetch(url(inference, INFERENCE_PORT, '/v1/predict'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ urls: 'not-a-list' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(url(inference, INFERENCE_PORT, '/readyz'))).status).toBe(200);
  });

  test('gateway image: POST /api/check-url through the mapped port, scored by the inference container', async () => {
    const res = await fetch(url(gateway, GATEWAY_PORT, '/api/check-url'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: PHISHING }),
    });
    const body = await res.text();
    expect(res.status, `${body}\n${await tailLogs(gateway)}`).toBe(200);
    expect(res.headers.get('x-model-digest')).toBe(modelDigest);
    const v = JSON.parse(body) as { canonicalUrl: string; verdict: string; score: number; model: { digest: string }; cached: boolean };
    expect(v.canonicalUrl).toBe(PHISHING);
    expect(v.model.digest).toBe(modelDigest);
    expect(v.verdict).not.toBe('legitimate');
    expect(v.cached).toBe(false);
    // The same URL again comes from the gateway's cache, with the same score.
    const again = (await (await fetch(url(gateway, GATEWAY_PORT, '/api/check-url'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: PHISHING }),
    })).json()) as { score: number; cached: boolean };
    expect(again.cached).toBe(true);
    expect(again.score).toBe(v.score);
  });

  test('gateway image: non-root, read-only root filesystem, both on the private network only, inference reached by its name', async () => {
    const id = await gateway!.exec(['id', '-u']);
    expect(Number(id.output.trim())).not.toBe(0);
    const write = await gateway!.exec(['sh', '-c', 'touch /probe-write 2>&1; echo "rc=$?"']);
    expect(write.output).toMatch(/Read-only file system/);
    expect(gateway!.getNetworkNames()).toEqual([network!.getName()]);
    expect(inference!.getNetworkNames()).toEqual([network!.getName()]);
  });

  test('gateway image: holds the lists workspace and loads the repository\'s default allowlist (when it has one)', async () => {
    const res = await fetch(url(gateway, GATEWAY_PORT, '/api/lists'));
    expect(res.status, await tailLogs(gateway)).toBe(200);
    const { lists } = (await res.json()) as { lists: { name: string; kind: string; entries: number }[] };
    const file = `${ROOT}lists/data/default-allow.txt`;
    if (existsSync(file)) {
      const want = compileList({ name: 'phishnet-default-allow', kind: 'allow', version: 'x' }, parseFeed('domain-list', await readFile(file, 'utf8'), 'allow').hashes);
      expect(lists).toEqual([{ name: 'phishnet-default-allow', kind: 'allow', version: expect.any(String), entries: want.prefixes.length }]);
    } else {
      expect(lists).toEqual([]);
    }
    const search = await fetch(url(gateway, GATEWAY_PORT, '/api/hashes/search'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prefixes: ['00000000'] }),
    });
    expect(search.status).toBe(200);
  });

  test.skipIf(!existsSync(BUNDLED_MODEL))('inference image: its bundled model (default MODEL_URI) is the repository artifact', async () => {
    const digest = createHash('sha256').update(await readFile(BUNDLED_MODEL)).digest('hex');
    const c = await startLogged(`${INFERENCE_IMAGE} (bundled model)`, new ServiceContainer(INFERENCE_IMAGE)
      .withPullPolicy(PullPolicy.neverPull())
      .withLabels(TIER_LABEL)
      .withReadOnlyRootFilesystem()
      .withTmpFs({ '/tmp': 'rw,nosuid,nodev,size=64m' })
      .withEnvironment({ PHISHNET_INFERENCE_WORKERS: '1', ...NO_ORT_TELEMETRY })
      .withExposedPorts(INFERENCE_PORT)
      .withWaitStrategy(Wait.forHttp('/readyz', INFERENCE_PORT).forStatusCode(200))
      .withStartupTimeout(60_000));
    try {
      const res = await fetch(url(c, INFERENCE_PORT, '/v1/predict'), {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ urls: [LEGIT] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-model-digest')).toBe(digest);
    } finally {
      await c.stop({ timeout: 10_000 });
    }
  });

  test('both images stop gracefully on SIGTERM (exit code 0 within 10 s)', async () => {
    for (const c of [gateway!, inference!]) {
      const started = Date.now();
      await c.stop({ timeout: 10_000, remove: false });
      const [state] = JSON.parse(await docker('inspect', '--format', '{{json .State}}', c.getId()).then((s) => `[${s}]`)) as
        { ExitCode: number; OOMKilled: boolean }[];
      await docker('rm', '-f', c.getId());
      expect(state!.OOMKilled).toBe(false);
      expect(state!.ExitCode, `${c.getName()} exit code`).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    gateway = undefined;
    inference = undefined;
  });
});
