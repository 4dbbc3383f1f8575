/**
 * A real Kubernetes control plane on loopback for tests (envtest style, no fake API): etcd (≥ 3.5.13, Debian trixie
 * build), kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake nodes, so Deployment pods become
 * Ready without containers). Binaries come from `scripts/k8s-binaries.sh`; when one is missing this throws with the
 * exact path and the command that installs it (no silent skip).
 *
 * The processes write their logs straight into files (file descriptors handed to the child), never through pipes read
 * by this Node process: tests call kubectl/helm synchronously, and a blocked event loop must not stall the control
 * plane (a full 64 KiB pipe blocks klog, and with it kube-controller-manager, until the test times out).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT as REPO_ROOT, freePort, startProc, waitFor, type Proc } from './process.ts';


export type BinaryName = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok' | 'etcd' | 'kubectl' | 'helm';

/** Paths of the control-plane binaries, as `scripts/k8s-binaries.sh --print` reports them; throws when one of
 * `needed` (default: all) is missing. */
export function binaryPaths(needed?: readonly BinaryName[]): Record<BinaryName, string> {
  let out: string;
  try {
    out = execFileSync('bash', [join(REPO_ROOT, 'scripts/k8s-binaries.sh'), '--print'], { encoding: 'utf8' });
  } catch (err) {
    out = (err as { stdout?: string }).stdout ?? '';
  }
  const paths = Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ') as [string, string])) as Record<BinaryName, string>;
  const missing = (Object.entries(paths) as [BinaryName, string][]).filter(([n, p]) => (!needed || needed.includes(n)) && !existsSync(p));
  if (missing.length > 0) {
    throw new Error(`control-plane binaries missing: ${missing.map(([n, p]) => `${n} (${p})`).join(', ')} — run \`bash scripts/k8s-binaries.sh\``);
  }
  return paths;
}

/** Outcome of a kubectl run that may exit non-zero by design (e.g. `auth can-i` prints `no` and exits 1). */
export interface KubectlResult {
  stdout: string;
  stderr: string;
  /** Exit code (null when killed by a signal). */
  status: number | null;
}

export interface ControlPlane {
  dir: string;
  kubeconfig: string;
  apiserverUrl: string;
  bins: Record<BinaryName, string>;
  /** Runs kubectl against this API server; returns stdout; throws with stderr (and stdout) on a non-zero exit. */
  kubectl(args: string[], input?: string): string;
  /** Runs kubectl against this API server; never throws on a non-zero exit: returns stdout, stderr and the exit code. */
  kubectlResult(args: string[], input?: string): KubectlResult;
  stop(): Promise<void>;
}

/**
 * Starts the operator process (operator/src/main.ts) against `cp`, its output appended to `<cp.dir>/operator.log` by
 * the child itself (see {@link startProc}: tests block in kubectl calls, a piped child could stall meanwhile).
 * Metrics on a free 127.0.0.1 port; `env` adds or overrides PHISHNET_OPERATOR_* settings.
 */
export function startOperator(cp: ControlPlane, env: Record<string, string>): Proc {
  return startProc(process.execPath, [join(REPO_ROOT, 'operator/src/main.ts')], { logFile: join(cp.dir, 'operator.log'), env: {
    PHISHNET_OPERATOR_KUBECONFIG: cp.kubeconfig,
    PHISHNET_OPERATOR_METRICS_HOST: '127.0.0.1',
    PHISHNET_OPERATOR_METRICS_PORT: '0',
    ...env,
  } });
}

/**
 * Starts the control plane. `apiServerOnly`: etcd + kube-apiserver only (no controller-manager, scheduler or kwok),
 * for controllers that create no pods (PhishFeeds) — fewer processes on a small machine.
 */
export async function startControlPlane(opts: { apiServerOnly?: boolean } = {}): Promise<ControlPlane> {
  const bins = binaryPaths(opts.apiServerOnly ? ['etcd', 'kube-apiserver', 'kubectl'] : undefined);
  const dir = mkdtempSync(join(tmpdir(), 'phishnet-cp-'));
  const procs: Proc[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) await p.stop();
  };
  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    procs.push(startProc(bins.etcd, [
      `--data-dir=${join(dir, 'etcd')}`, `--listen-client-urls=http://127.0.0.1:${etcdClient}`, `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`, '--log-level=warn', '--unsafe-no-fsync',
    ], { logFile: join(dir, 'etcd.log') }));
    await waitFor('etcd health', async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok, 30_000);

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const token = 'phishnet-test-token';
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`);
    const apiserverUrl = `https://127.0.0.1:${apiPort}`;
    procs.push(startProc(bins['kube-apiserver'], [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`, `--cert-dir=${join(dir, 'certs')}`, `--secure-port=${apiPort}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--service-cluster-ip-range=10.0.0.0/24',
      `--service-account-issuer=https://127.0.0.1:${apiPort}`, `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`, '--authorization-mode=RBAC', `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--disable-admission-plugins=ServiceAccount', '--allow-privileged=true', '--v=0',
    ], { logFile: join(dir, 'kube-apiserver.log') }));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: test',
      'clusters:', `- name: test`, `  cluster: {server: "${apiserverUrl}", insecure-skip-tls-verify: true}`,
      'users:', `- name: admin`, `  user: {token: "${token}"}`,
      'contexts:', '- name: test', '  context: {cluster: test, user: admin, namespace: default}', '',
    ].join('\n'));
    const kubectlResult = (args: string[], input?: string): KubectlResult => {
      const r = spawnSync(bins.kubectl, [`--kubeconfig=${kubeconfig}`, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
      if (r.error) throw new Error(`kubectl ${args.join(' ')} could not run: ${r.error.message}`);
      return { stdout: r.stdout, stderr: r.stderr, status: r.status };
    };
    const kubectl = (args: string[], input?: string) => {
      const r = kubectlResult(args, input);
      if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim()}${r.stdout.trim() ? ` | stdout: ${r.stdout.trim()}` : ''}`);
      return r.stdout;
    };
    await waitFor(`kube-apiserver ready (log ${join(dir, 'kube-apiserver.log')})`, () => kubectl(['get', '--raw', '/readyz']).trim() === 'ok', 90_000, 500);
    if (opts.apiServerOnly) {
      return {
        dir, kubeconfig, apiserverUrl, bins, kubectl, kubectlResult,
        async stop() {
          await stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }

    procs.push(startProc(bins['kube-controller-manager'], [
      `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
      '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${await freePort()}`,
      `--service-account-private-key-file=${join(dir, 'sa.key')}`, '--use-service-account-credentials=false',
      '--controllers=*,-serviceaccount-token', '--concurrent-deployment-syncs=5', '--v=0',
    ], { logFile: join(dir, 'kube-controller-manager.log') }));
    procs.push(startProc(bins['kube-scheduler'], [
      `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
      '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${await freePort()}`, '--v=0',
    ], { logFile: join(dir, 'kube-scheduler.log') }));
    procs.push(startProc(bins.kwok, [
      `--kubeconfig=${kubeconfig}`, `--config=${join(dirname(bins.kwok), 'stages.yaml')}`, '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--cidr=10.0.0.1/24', '--node-ip=10.0.0.1', `--server-address=127.0.0.1:${await freePort()}`,
    ], { logFile: join(dir, 'kwok.log') }));
    kubectl(['apply', '-f', '-'], [
      'apiVersion: v1', 'kind: Node',
      'metadata: {name: kwok-node-0, annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}, labels: {type: kwok, kubernetes.io/hostname: kwok-node-0}}',
      'spec: {}', 'status: {allocatable: {cpu: "32", memory: 256Gi, pods: "110"}, capacity: {cpu: "32", memory: 256Gi, pods: "110"}}', '',
    ].join('\n'));
    await waitFor('kwok node Ready', () => kubectl(['get', 'node', 'kwok-node-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).trim() === 'True', 60_000, 500);
    return {
      dir, kubeconfig, apiserverUrl, bins, kubectl, kubectlResult,
      async stop() {
        await stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)} (logs in ${dir})`, { cause: err });
  }
}
