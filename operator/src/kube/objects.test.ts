import { describe, expect, it } from 'vitest';
import { PhishModelSpecSchema } from '../api/v1alpha1/types.ts';
import { buildDeployment, buildHpa, buildService, DIGEST_ANNOTATION, INFERENCE_DRAIN, observeDeployment } from './objects.ts';

const owner = { name: 'url-lexical', namespace: 'phishnet', uid: 'uid-1' };
const spec = PhishModelSpecSchema.parse({ artifact: { uri: 'https://models.example/m.tar.gz', sha256: 'a'.repeat(64) }, replicas: { min: 2, max: 5 } });
const artifact = { version: '1.0.0', digest: 'a'.repeat(64), uri: 'https://models.example/m.tar.gz' };
const build = { image: 'ghcr.io/phishnet/inference:1', containerPort: 8000, servicePort: 80 };

describe('buildDeployment()', () => {
  const d = buildDeployment(owner, spec, 'canary', artifact, build);
  const pod = d.spec?.template.spec;
  const c = pod?.containers[0];

  it('names, labels, selector and owner', () => {
    expect(d.metadata?.name).toBe('inference-url-lexical-canary');
    expect(d.spec?.selector.matchLabels).toEqual({ 'phishnet.io/model': 'url-lexical', 'phishnet.io/track': 'canary' });
    expect(d.spec?.template.metadata?.labels).toMatchObject(d.spec?.selector.matchLabels ?? {});
    expect(d.spec?.template.metadata?.annotations?.[DIGEST_ANNOTATION]).toBe(artifact.digest);
    expect(d.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'PhishModel', name: 'url-lexical', uid: 'uid-1', controller: true });
    expect(d.spec?.replicas).toBeUndefined(); // left to the HPA
  });

  it('env: port, artifact uri + sha256, track, onnxruntime telemetry off, shutdown grace; no tracing unless configured', () => {
    expect(Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]))).toEqual({
      PHISHNET_INFERENCE_PORT: '8000',
      PHISHNET_INFERENCE_MODEL_URI: artifact.uri,
      PHISHNET_INFERENCE_MODEL_SHA256: artifact.digest,
      PHISHNET_INFERENCE_TRACK: 'canary',
      ORT_DISABLE_TELEMETRY: '1',
      PHISHNET_INFERENCE_SHUTDOWN_GRACE_MS: '20000',
    });
    const traced = buildDeployment(owner, spec, 'canary', artifact, { ...build, otlpEndpoint: 'http://collector:4318' });
    expect(traced.spec?.template.spec?.containers[0]?.env).toContainEqual({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://collector:4318' });
  });

  it('drain fits the termination grace period: preStop sleep + shutdown grace < terminationGracePeriodSeconds', () => {
    const preStop = c?.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const graceMs = Number(c?.env?.find((e) => e.name === 'PHISHNET_INFERENCE_SHUTDOWN_GRACE_MS')?.value);
    expect(preStop).toBe(INFERENCE_DRAIN.preStopSleepSeconds);
    expect(preStop).toBeGreaterThan(0);
    expect(preStop + graceMs / 1000).toBeLessThan(pod?.terminationGracePeriodSeconds ?? 30);
  });

  it('probes /readyz and /healthz on the container port', () => {
    expect(c?.ports).toEqual([{ name: 'http', containerPort: 8000 }]);
    expect(c?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('hardened: non-root, seccomp RuntimeDefault, read-only root with an emptyDir /tmp, no escalation, drop ALL, no SA token', () => {
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c?.securityContext).toEqual({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c?.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod?.volumes?.find((v) => v.name === 'tmp')?.emptyDir).toBeDefined();
    expect(pod?.automountServiceAccountToken).toBe(false);
  });

  it('spec.image overrides the default image', () => {
    const custom = buildDeployment(owner, { ...spec, image: 'registry.local/inference:2' }, 'stable', artifact, build);
    expect(custom.spec?.template.spec?.containers[0]?.image).toBe('registry.local/inference:2');
    expect(c?.image).toBe(build.image);
  });
});

describe('buildService() / buildHpa()', () => {
  it('Service selects the track and exposes the service port', () => {
    const s = buildService(owner, 'stable', build);
    expect(s.spec?.selector).toEqual({ 'phishnet.io/model': 'url-lexical', 'phishnet.io/track': 'stable' });
    expect(s.spec?.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
  });
  it('HPA scales the Deployment between the given minimum and replicas.max', () => {
    const h = buildHpa(owner, spec, 'stable', 2);
    expect(h.spec).toMatchObject({ minReplicas: 2, maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name: 'inference-url-lexical-stable' } });
    expect(buildHpa(owner, spec, 'canary', 9).spec?.minReplicas).toBe(5);
  });
});

describe('observeDeployment()', () => {
  const base = { metadata: { generation: 2 }, spec: { replicas: 2, selector: {}, template: { metadata: { annotations: { [DIGEST_ANNOTATION]: 'x' } } } } };
  it.each([
    ['no Deployment', undefined, { digest: null, ready: false, readyReplicas: 0 }],
    ['all replicas updated and available', { ...base, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 } }, { digest: 'x', ready: true, readyReplicas: 2 }],
    ['old generation observed', { ...base, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 } }, { digest: 'x', ready: false, readyReplicas: 2 }],
    ['rollout in progress (old pods left)', { ...base, status: { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 } }, { digest: 'x', ready: false, readyReplicas: 2 }],
    ['pods pending (nothing Ready)', { ...base, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 0 } }, { digest: 'x', ready: false, readyReplicas: 0 }],
  ])('%s', (_n, d, want) => {
    expect(observeDeployment(d)).toEqual(want);
  });
});
