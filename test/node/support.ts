/**
 * Helpers of the node tier (test/node/*.test.ts): a real one-node cluster started by `scripts/k8s-node.sh`, which runs
 * these files with PHISHNET_NODE=1 and PHISHNET_NODE_KUBECONFIG. kubectl and helm are the binaries of
 * scripts/k8s-binaries.sh; Services are reached from this host at their ClusterIP, through kube-proxy's rules.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kubeTools, ROOT } from '../config/support.ts';

export { ROOT };
export const OPT_IN = process.env.PHISHNET_NODE === '1';
export const KUBECONFIG = process.env.PHISHNET_NODE_KUBECONFIG ?? '';
export const CHART = join(ROOT, 'charts/phishnet');

/**
 * Values every install on the node needs: the images of scripts/docker.sh and scripts/k8s-images.sh (tag `dev`) from the
 * node's containerd store, no registry (production values name a release tag).
 */
export const LOCAL_IMAGES = [
  '--set', 'gateway.image.tag=dev', '--set', 'operator.image.tag=dev', '--set', 'inference.image.tag=dev',
  '--set', 'gateway.image.pullPolicy=Never', '--set', 'operator.image.pullPolicy=Never',
  '--set', 'redis.image.repository=phishnet/redis', '--set', 'redis.image.tag=dev', '--set', 'redis.image.pullPolicy=Never',
];

const execFileAsync = promisify(execFile);
let tools: { helm: string; kubectl: string } | undefined;
const tool = (name: 'helm' | 'kubectl') => (tools ??= kubeTools())[name];

function runTool(bin: string, args: string[], input?: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(bin, [`--kubeconfig=${KUBECONFIG}`, ...args], { encoding: 'utf8', input, maxBuffer: 64 << 20, timeout: 600_000 });
  if (r.error) throw new Error(`${bin} ${args.join(' ')} could not run: ${r.error.message}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** kubectl against the node's API server; returns stdout, throws with stderr on a non-zero exit. */
export function kubectl(args: string[], input?: string): string {
  const r = runTool(tool('kubectl'), args, input);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** helm against the node's API server; returns stdout, throws with stderr on a non-zero exit. */
export function helm(args: string[]): string {
  const r = runTool(tool('helm'), args);
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}\n${r.stdout.trim()}`);
  return r.stdout;
}

/** A pod as far as these tests read it. */
export interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; ownerReferences?: { kind: string }[] };
  spec: {
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    containers: { name: string; image: string; securityContext?: { readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean } }[];
  };
  status: { phase: string; podIP?: string; containerStatuses?: { name: string; ready: boolean; restartCount: number }[] };
}

export function pods(namespace: string, selector?: string): Pod[] {
  return (JSON.parse(kubectl(['get', 'pods', '-n', namespace, '-o', 'json', ...(selector ? ['-l', selector] : [])])) as { items: Pod[] }).items;
}

export const isReady = (p: Pod): boolean =>
  p.status.phase === 'Running' && (p.status.containerStatuses ?? []).length === p.spec.containers.length && (p.status.containerStatuses ?? []).every((c) => c.ready);

/** What a namespace looks like, for failure messages: pods, events, and the last log lines of pods not Ready. */
export function diagnose(namespace: string): string {
  const out: string[] = [];
  const safe = (f: () => string) => {
    try {
      return f();
    } catch (err) {
      return String(err);
    }
  };
  out.push(safe(() => kubectl(['get', 'pods,deploy,sts,svc,hpa,phishmodels', '-n', namespace, '-o', 'wide'])));
  out.push(safe(() => kubectl(['get', 'events', '-n', namespace, '--sort-by=.lastTimestamp'])).split('\n').slice(-30).join('\n'));
  for (const p of safe(() => JSON.stringify(pods(namespace))).startsWith('[') ? pods(namespace) : []) {
    if (isReady(p)) continue;
    for (const c of p.spec.containers) out.push(`--- ${p.metadata.name}/${c.name}\n${safe(() => kubectl(['logs', '-n', namespace, p.metadata.name, '-c', c.name, '--tail=20']))}`);
  }
  return out.join('\n');
}

/** Polls `check` every `everyMs` until it returns a value other than undefined; throws with `describe()` on timeout. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, describe?: () => string, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}\n${describe?.() ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the namespace has at least `min` pods, all Running with every container Ready (and none terminating). */
export async function allPodsReady(namespace: string, min: number, timeoutMs: number): Promise<Pod[]> {
  return eventually(`${min}+ pods Running and Ready in ${namespace}`, timeoutMs, () => {
    const ps = pods(namespace).filter((p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp);
    return ps.length >= min && ps.every(isReady) ? ps : undefined;
  }, () => diagnose(namespace), 2000);
}

/** The chart's resource name prefix for a release (`phishnet.fullname`: the release name when it contains the chart's). */
export const fullname = (release: string): string => (release.includes('phishnet') ? release : `${release}-phishnet`);

/** ClusterIP:port of a Service (reachable from this host through kube-proxy). */
export function serviceAddress(namespace: string, name: string): string {
  const svc = JSON.parse(kubectl(['get', 'svc', '-n', namespace, name, '-o', 'json'])) as { spec: { clusterIP: string; ports: { port: number }[] } };
  return `${svc.spec.clusterIP}:${svc.spec.ports[0]!.port}`;
}

/** Applies the chart's CRDs (PhishModel, PhishFeed) and waits until they are served. */
export function applyCrds(): void {
  kubectl(['apply', '--server-side', '-f', join(CHART, 'crds/phishmodel.yaml'), '-f', join(CHART, 'crds/phishfeed.yaml')]);
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/phishmodels.phishnet.io', 'crd/phishfeeds.phishnet.io']);
}

/** A bundled artifact of models/: its path inside the inference image, its digest (models/<file>.sha256), version. */
export function bundled(version: 'v1' | 'v4' | 'v5'): { uri: string; sha256: string; version: string } {
  const file = `phishnet-url-lexical-${version}.tar.gz`;
  return { uri: `file:///app/models/${file}`, sha256: readFileSync(join(ROOT, 'models', `${file}.sha256`), 'utf8').split(/\s+/)[0]!, version };
}

/** kubectl without blocking the event loop (for pollers running beside a load generator). */
export async function kubectlAsync(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(tool('kubectl'), [`--kubeconfig=${KUBECONFIG}`, ...args], { maxBuffer: 64 << 20, timeout: 30_000 });
  return stdout;
}
