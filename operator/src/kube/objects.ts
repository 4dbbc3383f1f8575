/**
 * Pure builders of the objects the operator owns per track: Deployment, Service and HPA named
 * `inference-<model>-<track>`, labelled for selection and for Prometheus (pod label `phishnet.io/model` → the
 * `phishmodel` label of the analysis queries), owned by the PhishModel (controller owner reference, so the garbage
 * collector removes them with it). Applied with server-side apply; `spec.replicas` is left to the HPA (its
 * minReplicas = spec.replicas.min, more for a canary whose weight needs them), so the operator never fights the autoscaler.
 */
import type { V1Deployment, V1Service, V2HorizontalPodAutoscaler, V1OwnerReference } from '@kubernetes/client-node';
import { API_VERSION, KIND, type ArtifactRef, type PhishModelSpec } from '../api/v1alpha1/types.ts';
import { trackObjectName, type Track } from '../reconcile/decide.ts';

export const DIGEST_ANNOTATION = 'phishnet.io/artifact-sha256';
const MODEL_LABEL = 'phishnet.io/model';
const TRACK_LABEL = 'phishnet.io/track';

export interface OwnerInfo {
  name: string;
  namespace: string;
  uid: string;
}

export interface BuildOptions {
  /** Default inference image when spec.image is unset. */
  image: string;
  /** Container port of inference (PHISHNET_INFERENCE_PORT). */
  containerPort: number;
  /** Service port written to status.traffic.port. */
  servicePort: number;
  /** OTLP/HTTP base URL the inference pods export spans to (OTEL_EXPORTER_OTLP_ENDPOINT); undefined = no tracing. */
  otlpEndpoint?: string | undefined;
}

/**
 * Graceful shutdown of an inference pod: on termination the pod is taken out of its Service's endpoints and keeps
 * serving for the preStop sleep (so gateways stop sending it new calls), then gets SIGTERM and finishes its accepted
 * requests, drains the micro-batcher and stops its workers within PHISHNET_INFERENCE_SHUTDOWN_GRACE_MS; the sum stays
 * below terminationGracePeriodSeconds, so it is never killed mid-request.
 */
export const INFERENCE_DRAIN = { preStopSleepSeconds: 5, shutdownGraceMs: 20_000, terminationGracePeriodSeconds: 30 } as const;

export function ownerReference(owner: OwnerInfo): V1OwnerReference {
  return { apiVersion: API_VERSION, kind: KIND, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true };
}

function trackLabels(model: string, track: Track): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'phishnet-inference',
    'app.kubernetes.io/instance': model,
    'app.kubernetes.io/managed-by': 'phishnet-operator',
    [MODEL_LABEL]: model,
    [TRACK_LABEL]: track,
  };
}

/**
 * The inference Deployment of one track: pod template annotated with the artifact digest, env
 * PHISHNET_INFERENCE_{PORT,MODEL_URI,MODEL_SHA256,TRACK,SHUTDOWN_GRACE_MS} + ORT_DISABLE_TELEMETRY=1 (+ OTEL_EXPORTER_OTLP_ENDPOINT
 * when tracing is on), a preStop sleep and termination grace period from {@link INFERENCE_DRAIN}, probes /readyz and /healthz on the
 * `http` port, hardened (non-root uid 1000, seccomp RuntimeDefault, read-only root with an emptyDir /tmp, no privilege
 * escalation, all capabilities dropped, no service-account token). `spec.replicas` is left to the HPA.
 */
export function buildDeployment(owner: OwnerInfo, spec: PhishModelSpec, track: Track, artifact: ArtifactRef, o: BuildOptions): V1Deployment {
  const name = trackObjectName(owner.name, track);
  const labels = trackLabels(owner.name, track);
  const selector = { [MODEL_LABEL]: owner.name, [TRACK_LABEL]: track };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: owner.namespace, labels, annotations: { [DIGEST_ANNOTATION]: artifact.digest }, ownerReferences: [ownerReference(owner)] },
    spec: {
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...labels },
          annotations: { [DIGEST_ANNOTATION]: artifact.digest, 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(o.containerPort) },
        },
        spec: {
          // Inference never calls the API server; the image runs as `node` (uid/gid 1000), as the chart's pods do.
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: INFERENCE_DRAIN.terminationGracePeriodSeconds,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'inference',
            image: spec.image ?? o.image,
            ports: [{ name: 'http', containerPort: o.containerPort }],
            env: [
              { name: 'PHISHNET_INFERENCE_PORT', value: String(o.containerPort) },
              { name: 'PHISHNET_INFERENCE_MODEL_URI', value: artifact.uri },
              { name: 'PHISHNET_INFERENCE_MODEL_SHA256', value: artifact.digest },
              { name: 'PHISHNET_INFERENCE_TRACK', value: track },
              // onnxruntime's telemetry must never try to reach the internet
              { name: 'ORT_DISABLE_TELEMETRY', value: '1' },
              { name: 'PHISHNET_INFERENCE_SHUTDOWN_GRACE_MS', value: String(INFERENCE_DRAIN.shutdownGraceMs) },
              ...(o.otlpEndpoint ? [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: o.otlpEndpoint }] : []),
            ],
            lifecycle: { preStop: { sleep: { seconds: INFERENCE_DRAIN.preStopSleepSeconds } } },
            securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
            resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
          }],
          // writable scratch for a downloaded artifact (the root filesystem is read-only)
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } }],
        },
      },
    },
  };
}

export function buildService(owner: OwnerInfo, track: Track, o: BuildOptions): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: trackObjectName(owner.name, track), namespace: owner.namespace, labels: trackLabels(owner.name, track), ownerReferences: [ownerReference(owner)] },
    spec: {
      selector: { [MODEL_LABEL]: owner.name, [TRACK_LABEL]: track },
      ports: [{ name: 'http', port: o.servicePort, targetPort: 'http' }],
    },
  };
}

/** The HPA of one track: `minReplicas` (the canary's follows its weight, see decide.ts canaryMinReplicas) up to
 * spec.replicas.max at spec.replicas.targetCPUUtilization. */
export function buildHpa(owner: OwnerInfo, spec: PhishModelSpec, track: Track, minReplicas: number): V2HorizontalPodAutoscaler {
  const name = trackObjectName(owner.name, track);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: owner.namespace, labels: trackLabels(owner.name, track), ownerReferences: [ownerReference(owner)] },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: Math.min(minReplicas, spec.replicas.max),
      maxReplicas: spec.replicas.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.replicas.targetCPUUtilization } } }],
    },
  };
}

/**
 * What a Deployment says about its track: the artifact digest of its pod template, whether the rollout of that
 * template is complete and available (observedGeneration current, all replicas updated and available, ≥ 1 ready), and
 * its Ready pods (status.readyReplicas).
 */
export function observeDeployment(d: V1Deployment | undefined): { digest: string | null; ready: boolean; readyReplicas: number } {
  if (d === undefined) return { digest: null, ready: false, readyReplicas: 0 };
  const digest = d.spec?.template?.metadata?.annotations?.[DIGEST_ANNOTATION] ?? null;
  const st = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  const ready = (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
    && (st.updatedReplicas ?? 0) >= want && (st.availableReplicas ?? 0) >= want && (st.readyReplicas ?? 0) >= 1
    && (st.replicas ?? 0) === (st.updatedReplicas ?? 0);
  return { digest, ready, readyReplicas: st.readyReplicas ?? 0 };
}
