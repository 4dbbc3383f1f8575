import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CRD_COPIES, TENANT_CRD_COPIES, VALUES_SCHEMA, phishFeedCrd, phishFeedCrdYaml, phishTenantCrdYaml, valuesSchemaText } from './crd.ts';
import { PhishFeedSpecSchema, feedListName } from './phishfeed.ts';

const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));

describe('PhishTenant CRD generated from the zod schema', () => {
  it.each(TENANT_CRD_COPIES)('%s equals the generated CRD (run: npm run gen:crds)', (file) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toBe(phishTenantCrdYaml());
  });

  it('is structural and carries the operating point rule', () => {
    const text = phishTenantCrdYaml();
    expect(text).not.toContain('$schema');
    expect(text).not.toContain('additionalProperties: false');
    expect(text).toContain('!(has(self.blockOn) && has(self.threshold))');
  });
});

describe('PhishFeed CRD generated from the zod schema', () => {
  it.each(CRD_COPIES)('%s equals the generated CRD (run: npm run gen:crds)', (file) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toBe(phishFeedCrdYaml());
  });

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
