/**
 * Generates the PhishFeed, PhishModel and PhishTenant CustomResourceDefinitions from the zod schemas in phishfeed.ts,
 * types.ts and phishtenant.ts (the single sources), adapted to a Kubernetes structural schema: no `$schema`, no `additionalProperties: false`, no
 * JavaScript safe-integer bounds, `x-kubernetes-*` extensions carried over from the schemas' metadata. Printer columns
 * and short names live here, beside the generator. The same spec schemas (without the CEL rules) are written into the
 * chart's values.schema.json for `phishFeeds.feeds.<name>.spec` and `phishModel.spec`.
 *
 *   node operator/src/api/v1alpha1/crd.ts            write manifests/crds/{phishfeed,phishmodel,phishtenant}.yaml, their chart copies
 *                                                    and the spec schemas in charts/phishnet/values.schema.json
 *   node operator/src/api/v1alpha1/crd.ts --check    exit 1 when a committed copy differs from the generated text
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIST_NAME_PATTERN } from '@phishnet/lists';
import { stringify } from 'yaml';
import { z } from 'zod';
import {
  FEED_KIND, FEED_PLURAL, FEED_SHORT_NAME, FEED_SINGULAR, PhishFeedSpecSchema, PhishFeedStatusSchema,
} from './phishfeed.ts';
import {
  GROUP, KIND, PLURAL, PhishModelSpecSchema, PhishModelStatusSchema, SHORT_NAME, SINGULAR, VERSION,
} from './types.ts';
import {
  PhishTenantSpecSchema, PhishTenantStatusSchema, TENANT_KIND, TENANT_PLURAL, TENANT_SHORT_NAME, TENANT_SINGULAR,
} from './phishtenant.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Drops what a structural schema may not hold (or what only describes JavaScript numbers), recursively. */
export function structural(node: Json): Json {
  if (Array.isArray(node)) return node.map(structural);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema' || k === 'additionalProperties' && v === false) continue;
    if ((k === 'maximum' && v === Number.MAX_SAFE_INTEGER) || (k === 'minimum' && v === Number.MIN_SAFE_INTEGER)) continue;
    out[k] = k === 'x-kubernetes-validations' || k === 'x-kubernetes-list-map-keys' || k === 'enum' || k === 'required' || k === 'default' ? v : structural(v);
  }
  // z.record → additionalProperties: {schema}; keep it (a map), but a structural schema needs `type: object`.
  return out;
}

function schemaOf(s: z.ZodType): Json {
  return structural(z.toJSONSchema(s, { io: 'input', target: 'openapi-3.0' }) as Json);
}

/** What differs between phishnet's CRDs; everything else (group, version, status subresource, category) is shared. */
interface CrdDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortName: string;
  /** The resource's one-line meaning: the schema's description and the YAML file's first comment line. */
  description: string;
  /** The zod module the spec and status schemas come from (for the "generated from" comment). */
  source: string;
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: Record<string, unknown>[];
  /** CEL rules on the whole object (name rules; spec rules travel with the zod schema's metadata). */
  validations?: { rule: string; message: string }[];
}

/** The CRD object (apiextensions.k8s.io/v1) of one definition. */
function customResourceDefinition(d: CrdDefinition): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${d.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind: d.kind, listKind: `${d.kind}List`, plural: d.plural, singular: d.singular, shortNames: [d.shortName], categories: ['phishnet'] },
      versions: [{
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: d.printerColumns,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: d.description,
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: schemaOf(d.spec),
              status: schemaOf(d.status),
            },
            ...(d.validations ? { 'x-kubernetes-validations': d.validations } : {}),
          },
        },
      }],
    },
  };
}

/** The CRD as committed YAML text: two comment lines (what it is, where it is generated from), then the object. */
function crdYaml(d: CrdDefinition): string {
  return [
    `# ${d.kind}: ${d.description[0]!.toLowerCase()}${d.description.slice(1)}`,
    `# generated from ${d.source} by \`npm run gen:crds\` — do not edit`,
    stringify(customResourceDefinition(d), { lineWidth: 0 }),
  ].join('\n');
}

/** A list name is `<namespace>-<name>`, and the layout's list names have no dots. */
const nameRule = (what: string) => ({
  rule: `self.metadata.name.matches('${LIST_NAME_PATTERN.source}')`,
  message: `a ${what} name may hold only lower-case letters, digits and dashes (it names ${what === 'PhishFeed' ? 'a list' : 'the tenant'})`,
});

const FEED: CrdDefinition = {
  kind: FEED_KIND, plural: FEED_PLURAL, singular: FEED_SINGULAR, shortName: FEED_SHORT_NAME,
  description: 'A threat-intel or reputation feed synced by the phishnet operator into a versioned list in Redis.',
  source: 'operator/src/api/v1alpha1/phishfeed.ts',
  spec: PhishFeedSpecSchema, status: PhishFeedStatusSchema,
  printerColumns: [
    { name: 'Kind', type: 'string', jsonPath: '.spec.kind' },
    { name: 'Format', type: 'string', jsonPath: '.spec.format' },
    { name: 'Entries', type: 'integer', jsonPath: '.status.entries' },
    { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status' },
    { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].reason', priority: 1 },
    { name: 'Version', type: 'string', jsonPath: '.status.version', priority: 1 },
    { name: 'Last Success', type: 'date', jsonPath: '.status.lastSuccessfulSyncTime' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  validations: [nameRule('PhishFeed')],
};

const MODEL: CrdDefinition = {
  kind: KIND, plural: PLURAL, singular: SINGULAR, shortName: SHORT_NAME,
  description: 'A phishing-URL model served by inference Deployments; new artifacts of it are rolled out as canaries by the phishnet operator.',
  source: 'operator/src/api/v1alpha1/types.ts',
  spec: PhishModelSpecSchema, status: PhishModelStatusSchema,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Stable', type: 'string', jsonPath: '.status.stable.version' },
    { name: 'Canary', type: 'string', jsonPath: '.status.canary.version' },
    { name: 'Weight', type: 'integer', jsonPath: '.status.traffic.canaryWeight' },
    { name: 'Step', type: 'integer', jsonPath: '.status.currentStep' },
    { name: 'Reason', type: 'string', jsonPath: '.status.reason', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

const TENANT: CrdDefinition = {
  kind: TENANT_KIND, plural: TENANT_PLURAL, singular: TENANT_SINGULAR, shortName: TENANT_SHORT_NAME,
  description: 'A customer of the phishnet gateway (API keys, limits, quotas, operating point, lists), synced by the operator to Redis.',
  source: 'operator/src/api/v1alpha1/phishtenant.ts',
  spec: PhishTenantSpecSchema, status: PhishTenantStatusSchema,
  printerColumns: [
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
    { name: 'Keys', type: 'integer', jsonPath: '.status.keys' },
    { name: 'Rate', type: 'integer', jsonPath: '.spec.rateLimit.requests' },
    { name: 'Daily', type: 'integer', jsonPath: '.spec.quota.daily' },
    { name: 'Block On', type: 'string', jsonPath: '.spec.operatingPoint.blockOn', priority: 1 },
    { name: 'Threshold', type: 'number', jsonPath: '.spec.operatingPoint.threshold', priority: 1 },
    { name: 'Version', type: 'string', jsonPath: '.status.version', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
  validations: [nameRule('PhishTenant')],
};

/** The PhishFeed CRD object (apiextensions.k8s.io/v1). */
export const phishFeedCrd = (): Record<string, unknown> => customResourceDefinition(FEED);
/** The PhishModel CRD object (apiextensions.k8s.io/v1). */
export const phishModelCrd = (): Record<string, unknown> => customResourceDefinition(MODEL);
/** The PhishFeed CRD as committed YAML text. */
export const phishFeedCrdYaml = (): string => crdYaml(FEED);
/** The PhishModel CRD as committed YAML text. */
export const phishModelCrdYaml = (): string => crdYaml(MODEL);
/** The PhishTenant CRD as committed YAML text. */
export const phishTenantCrdYaml = (): string => crdYaml(TENANT);
/** Committed copies of the generated PhishTenant CRD (repository-relative). */
export const TENANT_CRD_COPIES = ['manifests/crds/phishtenant.yaml', 'charts/phishnet/crds/phishtenant.yaml'];

const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
/** Committed copies of the generated CRDs (repository-relative) and the text each must hold. */
export const CRD_COPIES: readonly { file: string; text: () => string }[] = [
  { file: 'manifests/crds/phishfeed.yaml', text: phishFeedCrdYaml },
  { file: 'charts/phishnet/crds/phishfeed.yaml', text: phishFeedCrdYaml },
  { file: 'manifests/crds/phishmodel.yaml', text: phishModelCrdYaml },
  { file: 'charts/phishnet/crds/phishmodel.yaml', text: phishModelCrdYaml },
  ...TENANT_CRD_COPIES.map((file) => ({ file, text: phishTenantCrdYaml })),
];
/**
 * The chart's values schema; its `phishFeeds.feeds.<name>.spec` and `phishModel.spec` are generated here, its
 * `gateway.env` / `operator.env` by scripts/gen-chart-env-schema.ts, the rest is written by hand.
 */
export const VALUES_SCHEMA = 'charts/phishnet/values.schema.json';

/** Drops the Kubernetes extensions (a plain JSON-schema validator has no CEL). */
function withoutKubernetesExtensions(node: Json): Json {
  if (Array.isArray(node)) return node.map(withoutKubernetesExtensions);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => !k.startsWith('x-kubernetes-')).map(([k, v]) => [k, withoutKubernetesExtensions(v)]));
}

function valuesSpecSchema(s: z.ZodType): Json {
  return withoutKubernetesExtensions(structural(z.toJSONSchema(s, { io: 'input', target: 'draft-07' }) as Json));
}

/** `values.schema.json` text with the generated PhishFeed and PhishModel spec schemas in place. */
export function valuesSchemaText(current: string): string {
  const doc = JSON.parse(current) as { properties: {
    phishFeeds: { properties: { feeds: { additionalProperties: { properties: Record<string, Json> } } } };
    phishModel: { properties: Record<string, Json> };
  } };
  doc.properties.phishFeeds.properties.feeds.additionalProperties.properties.spec = valuesSpecSchema(PhishFeedSpecSchema);
  doc.properties.phishModel.properties.spec = valuesSpecSchema(PhishModelSpecSchema);
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const valuesNow = readFileSync(join(ROOT, VALUES_SCHEMA), 'utf8');
  const wanted = new Map([...CRD_COPIES.map((c) => [c.file, c.text()] as const), [VALUES_SCHEMA, valuesSchemaText(valuesNow)]]);
  if (process.argv.includes('--check')) {
    const stale = [...wanted].filter(([f, t]) => {
      try { return readFileSync(join(ROOT, f), 'utf8') !== t; } catch { return true; }
    }).map(([f]) => f);
    if (stale.length > 0) {
      process.stderr.write(`out of date: ${stale.join(', ')} (run: npm run gen:crds)\n`);
      process.exit(1);
    }
  } else {
    for (const [f, t] of wanted) writeFileSync(join(ROOT, f), t);
    process.stdout.write(`wrote ${[...wanted.keys()].join(', ')}\n`);
  }
}
