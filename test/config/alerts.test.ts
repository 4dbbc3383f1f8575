/**
 * Config tier — alert rules: `promtool check rules` and `promtool test rules` (Debian prometheus package), every alert
 * follows the mixin conventions (CamelCase with a component prefix, severity, summary, description, runbook_url into
 * an existing RUNBOOKS.md anchor) and has a promtool unit test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT, run } from './support.ts';

const RULES = join(ROOT, 'alerts/rules');
const TESTS = join(ROOT, 'alerts/tests');
const ruleFiles = readdirSync(RULES).filter((f) => f.endsWith('.yaml')).map((f) => join(RULES, f));
const testFiles = readdirSync(TESTS).filter((f) => f.endsWith('.yaml')).map((f) => join(TESTS, f));

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
const alerts: Rule[] = ruleFiles.flatMap((f) => (parseYaml(readFileSync(f, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules)).filter((r) => r.alert);

/** GitHub's heading anchor: lower case, spaces to dashes, punctuation dropped. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');

describe('alert rules', () => {
  test('promtool check rules', () => {
    const out = run('promtool', ['check', 'rules', ...ruleFiles]);
    expect(out).not.toMatch(/FAILED/);
    expect(out.match(/SUCCESS/g)?.length).toBe(ruleFiles.length);
  });

  test('promtool test rules (every alert quiet just before its `for`, firing at it)', () => {
    const out = run('promtool', ['test', 'rules', ...testFiles]);
    expect(out).not.toMatch(/FAILED/);
    expect(out.match(/SUCCESS/g)?.length).toBe(testFiles.length);
  });

  test('the alert set covers the issue\'s groups', () => {
    expect(alerts.map((a) => a.alert)).toEqual(expect.arrayContaining([
      'GatewayErrorBudgetBurnFast', 'GatewayLatencyHigh', 'GatewayCacheHitRatioLow', 'GatewayCircuitBreakerOpen', 'GatewayRedisDown',
      'InferenceDown', 'InferenceSaturated', 'InferenceModelLoadFailed', 'PhishModelRolledBack', 'PhishModelRolloutStuck', 'OperatorReconcileErrors',
    ]));
  });

  const runbooks = readFileSync(join(ROOT, 'alerts/RUNBOOKS.md'), 'utf8');
  const anchors = new Set([...runbooks.matchAll(/^## (.+)$/gm)].map((m) => anchor(m[1]!)));
  const tested = new Set(testFiles.flatMap((f) => (parseYaml(readFileSync(f, 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] })
    .tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname))));

  test.each(alerts.map((a) => [a.alert!, a] as const))('%s follows the conventions and is tested', (name, a) => {
    expect(name).toMatch(/^(Gateway|Inference|PhishModel|PhishFeed|Operator)[A-Z][A-Za-z0-9]+$/);
    expect(['critical', 'warning', 'info']).toContain(a.labels?.severity);
    expect(a.for, 'has a for duration').toMatch(/^\d+[smh]$/);
    expect(a.annotations?.summary).toBeTruthy();
    expect(a.annotations?.summary, 'summary is static').not.toContain('{{');
    expect(a.annotations?.description).toBeTruthy();
    const url = a.annotations?.runbook_url ?? '';
    expect(url).toMatch(/\/alerts\/RUNBOOKS\.md#/);
    expect(anchors, `RUNBOOKS.md has a section for ${name}`).toContain(url.split('#')[1]);
    expect(tested, `a promtool test expects ${name} to fire`).toContain(name);
  });
});
