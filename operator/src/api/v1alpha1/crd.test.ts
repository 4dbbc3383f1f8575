import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CRD_COPIES, VALUES_SCHEMA, phishFeedCrd, phishFeedCrdYaml, phishModelCrd, phishModelCrdYaml, phishTenantCrdYaml, valuesSchemaText,
} from './crd.ts';
import { PhishFeedSpecSchema, feedListName } from './phishfeed.ts';
import { PhishModelSpecSchema } from './types.ts';

const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));

describe('PhishTenant CRD generated from the zod schema', () => {
  it('is structural and carries the operating point rule', () => {
    const text = phishTenantCrdYaml();
    expect(text).not.toContain('$schema');
    expect(text).not.toContain('additionalProperties: false');
    expect(text).toContain('!(has(self.blockOn) && has(self.threshold))');
  });
});

describe('CRDs generated from the zod schemas', () => {
  it.each(CRD_COPIES)('$file equals the generated CRD (run: npm run gen:crds)', ({ file, text }) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toBe(text());
  });
});

describe('PhishFeed CRD generated from the zod schema', () => {

  it(`${VALUES_SCHEMA} holds the generated PhishFeed spec schema (run: npm run gen:crds)`, () => {
    const committed = readFileSync(join(ROOT, VALUES_SCHEMA), 'utf8');
    expect(committed).toBe(valuesSchemaText(committed));
  });

  it('is a structural schema: no $schema, no additionalProperties: false, every object typed', () => {
    const text = JSON.stringify(phishFeedCrd());
    expect(text).not.toContain('$schema');
    expect(text).not.toContain('"additionalProperties":false');
    expect(text).not.toContain(String(Number.MAX_SAFE_INTEGER));
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if ('properties' in n) expect(n.type, path).toBe('object');
      for (const [k, v] of Object.entries(n)) walk(v, `${path}.${k}`);
    };
    walk(parse(phishFeedCrdYaml()), '');
  });

  it('carries the CEL rules the zod refinements also enforce', () => {
    const text = phishFeedCrdYaml();
    expect(text).toContain('[has(self.url), has(self.configMapKeyRef), has(self.secretKeyRef)].filter(x, x).size() == 1');
    expect(text).toContain("self.format != 'tranco-csv' || has(self.topN)");
    expect(text).toContain("duration(self) >= duration('1m')");
  });
});

describe('PhishModel CRD generated from the zod schema', () => {
  const crd = phishModelCrd() as { spec: { names: { shortNames: string[] }; versions: { additionalPrinterColumns: { name: string }[]; schema: { openAPIV3Schema: Record<string, unknown> } }[] } };

  it('is a structural schema: no $schema, no additionalProperties: false, every object typed', () => {
    const text = JSON.stringify(crd);
    expect(text).not.toContain('$schema');
    expect(text).not.toContain('"additionalProperties":false');
    expect(text).not.toContain(String(Number.MAX_SAFE_INTEGER));
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if ('properties' in n) expect(n.type, path).toBe('object');
      for (const [k, v] of Object.entries(n)) walk(v, `${path}.${k}`);
    };
    walk(parse(phishModelCrdYaml()), '');
  });

  it('keeps the short name, printer columns and CEL rules', () => {
    expect(crd.spec.names.shortNames).toEqual(['pm']);
    expect(crd.spec.versions[0]?.additionalPrinterColumns.map((c) => c.name)).toEqual(['Phase', 'Stable', 'Canary', 'Weight', 'Step', 'Reason', 'Age']);
    const text = phishModelCrdYaml();
    expect(text).toContain('!has(self.min) || !has(self.max) || self.min <= self.max');
    expect(text).toContain('has(self.weight) || has(self.mirror) || has(self.pause)');
    expect(text).toContain("has(self.query) || self.name in ['error-rate', 'latency-p99', 'phishing-rate-delta', 'verdict-disagreement']");
  });

  it('has no field that does nothing: no spec.threshold, no s3:// or oci:// artifact URIs', () => {
    const text = phishModelCrdYaml();
    expect(text).not.toMatch(/threshold:/);
    expect(text).not.toMatch(/s3:|oci:/);
  });

  it('defaults objects with `default: {}` so nested defaults apply as the zod schema applies them', () => {
    const spec = (crd.spec.versions[0]?.schema.openAPIV3Schema.properties as Record<string, { properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }> }>).spec;
    expect(spec?.properties.replicas?.default).toEqual({});
    expect(spec?.properties.rollout?.default).toEqual({});
    expect(spec?.properties.rollout?.properties?.analysis?.default).toEqual({});
    expect(spec?.properties.rollout?.properties?.steps?.default).toEqual(PhishModelSpecSchema.parse({ artifact: { uri: '/m.tar.gz', sha256: 'a'.repeat(64) } }).rollout.steps);
  });
});

describe('PhishModelSpecSchema', () => {
  const artifact = { uri: 'file:///models/m.tar.gz', sha256: 'a'.repeat(64) };
  it('applies the same defaults to a missing and to an empty rollout (one default for steps: four steps)', () => {
    const a = PhishModelSpecSchema.parse({ artifact });
    const b = PhishModelSpecSchema.parse({ artifact, rollout: {} });
    expect(a).toEqual(b);
    expect(a.rollout.steps).toEqual([{ mirror: 100, pause: '5m' }, { weight: 5, pause: '5m' }, { weight: 25, pause: '10m' }, { weight: 50, pause: '10m' }]);
    expect(a.rollout.progressDeadline).toBe('10m');
    expect(a.replicas).toEqual({ min: 2, max: 10, targetCPUUtilization: 70 });
  });
  it.each([
    ['s3:// artifact', { artifact: { ...artifact, uri: 's3://bucket/m.tar.gz' } }],
    ['oci:// artifact', { artifact: { ...artifact, uri: 'oci://registry/m:1' } }],
    ['replicas.min > max', { artifact, replicas: { min: 5, max: 2 } }],
    ['a step with nothing', { artifact, rollout: { steps: [{}] } }],
    ['a bad duration', { artifact, rollout: { progressDeadline: '5 minutes' } }],
    ['a golden set without its ConfigMap', { artifact, rollout: { analysis: { goldenSet: { maxDetectionDrop: 0.1 } } } }],
  ])('refuses %s', (_n, spec) => {
    expect(PhishModelSpecSchema.safeParse(spec).success).toBe(false);
  });
});

describe('PhishFeedSpecSchema', () => {
  const ok = { source: { url: 'https://openphish.com/feed.txt' }, format: 'url-list', kind: 'deny' };
  it('applies defaults', () => {
    expect(PhishFeedSpecSchema.parse(ok)).toMatchObject({ refreshInterval: '1h', maxBytes: 64 * 1024 * 1024, maxEntries: 200_000 });
  });
  it.each([
    ['both url and configMapKeyRef', { ...ok, source: { url: 'https://x.example/f', configMapKeyRef: { name: 'c', key: 'k' } } }],
    ['no source', { ...ok, source: {} }],
    ['ftp url', { ...ok, source: { url: 'ftp://x.example/f' } }],
    ['unknown format', { ...ok, format: 'rss' }],
    ['refresh below 1m', { ...ok, refreshInterval: '30s' }],
    ['tranco without topN', { ...ok, format: 'tranco-csv', kind: 'allow' }],
    ['credentials without url', { ...ok, source: { configMapKeyRef: { name: 'c', key: 'k' } }, credentialsSecretRef: { name: 's' } }],
  ])('refuses %s', (_n, spec) => {
    expect(PhishFeedSpecSchema.safeParse(spec).success).toBe(false);
  });
});

describe('feedListName', () => {
  it.each([
    ['phishnet', 'openphish', 'phishnet-openphish'],
    ['a'.repeat(40), 'b'.repeat(30), null],
  ])('%s/%s → %s', (ns, name, want) => {
    expect(feedListName(ns, name)).toBe(want);
  });
});
