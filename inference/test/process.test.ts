/**
 * The real service process (`node inference/src/main.ts`): startup refusal of a bad artifact, readiness, and a
 * graceful SIGTERM under load that loses no accepted request.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelDigestOf } from '@phishnet/api';
import { INFERENCE_MAIN, modelPath, ROOT, startInferenceWithLogs } from '@phishnet/testing';

function runMain(env: Record<string, string>) {
  return spawnSync(process.execPath, [INFERENCE_MAIN], {
    cwd: ROOT, encoding: 'utf8', timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', PHISHNET_INFERENCE_HOST: '127.0.0.1', PHISHNET_INFERENCE_PORT: '0', ...env },
  });
}

describe('startup refuses a bad artifact', () => {
  it('wrong sha256 → exit 1, one stderr line naming the expected and the found digest', () => {
    const wrong = 'ab'.repeat(32);
    const found = modelDigestOf(readFileSync(modelPath()));
    const r = runMain({ PHISHNET_INFERENCE_MODEL_URI: modelPath(), PHISHNET_INFERENCE_MODEL_SHA256: wrong });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`expected ${wrong}`);
    expect(r.stderr).toContain(found);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 60, code: 'DIGEST_MISMATCH' });
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([false, true])('the right sha256 is accepted (upper case %s, as some tools print it)', async (upper) => {
    const digest = modelDigestOf(readFileSync(modelPath()));
    const svc = await startInferenceWithLogs({ PHISHNET_INFERENCE_MODEL_SHA256: upper ? digest.toUpperCase() : digest });
    await svc.stop();
  });

  it.each([
    ['unreadable path', (dir: string) => join(dir, 'missing.tar.gz'), 'FETCH_FAILED'],
    ['not an archive', (dir: string) => { const p = join(dir, 'junk.tar.gz'); writeFileSync(p, 'not gzip'); return p; }, 'BAD_ARCHIVE'],
  ])('%s → exit 1 with the matching error code', (_name, make, code) => {
    const dir = mkdtempSync(join(tmpdir(), 'phishnet-inference-'));
    const r = runMain({ PHISHNET_INFERENCE_MODEL_URI: make(dir) });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ code });
  });

  it('invalid configuration → exit 1 naming the variable', () => {
    const r = runMain({ PHISHNET_INFERENCE_MODEL_URI: modelPath(), PHISHNET_INFERENCE_TRACK: 'beta' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PHISHNET_INFERENCE_TRACK');
  });
});

describe('running service', () => {
  it('/readyz turns 200 after the warm-up; responses carry X-Model-Digest', async () => {
    const svc = await startInferenceWithLogs();
    try {
      await svc.waitForLog('ready');
      const res = await fetch(`${svc.url}/readyz`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-model-digest')).toBe(modelDigestOf(readFileSync(modelPath())));
    } finally {
      await svc.stop();
    }
  });

  it('SIGTERM during load: every accepted request gets 200, then the process exits 0', async () => {
    const svc = await startInferenceWithLogs({ PHISHNET_INFERENCE_LOG_LEVEL: 'debug', PHISHNET_INFERENCE_MAX_QUEUE: '100000' });
    try {
      await svc.waitForLog('ready');
      const N = 200;
      const urlsPerRequest = 50;
      const requests = Array.from({ length: N }, (_, i) => fetch(`${svc.url}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ urls: Array.from({ length: urlsPerRequest }, (_, j) => `http://r${i}-${j}.example.test/login?x=${j}`) }),
        signal: AbortSignal.timeout(60_000),
      }).then(async (res) => ({ status: res.status, n: ((await res.json()) as { predictions?: unknown[] }).predictions?.length ?? 0 })));
      // Every request has reached the service (its onRequest hook logged it) before the signal.
      await svc.waitForLog('predict request received', N);
      const completedBeforeSignal = svc.logs.filter((l) => l.msg === 'predict request completed').length;
      svc.child.kill('SIGTERM');
      const results = await Promise.all(requests);
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(results.every((r) => r.n === urlsPerRequest)).toBe(true);
      expect(await svc.exited).toBe(0);
      // The signal arrived while work was in flight, so the test exercised the drain.
      expect(completedBeforeSignal).toBeLessThan(N);
      expect(svc.logs.some((l) => l.msg === 'stopped')).toBe(true);
    } finally {
      await svc.stop();
    }
  });
});
