/**
 * Writes the model digest of each sample PhishModel (manifests/samples/phishmodel-*.yaml) and of the chart's PhishModel
 * values (`phishModel.spec.artifact` of charts/phishnet/values.yaml and ci/production-values.yaml) from the checksum
 * file the artifact ships with: `spec.artifact.uri` names `…/<artifact>.tar.gz`, whose digest is the first field of
 * `models/<artifact>.tar.gz.sha256` (`sha256sum` output). Generated values — run by `npm run gen`; CI fails on a diff.
 *
 *   node scripts/sample-digests.ts
 *
 * Only the `sha256:` value of each document's `spec.artifact` is rewritten; comments and layout stay as written.
 * The README's examples are pinned too ({@link docWithDigests}).
 * @throws when a sample's artifact has no checksum file in models/
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { digestOfSha256File } from '@phishnet/api';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SAMPLES = join(ROOT, 'manifests/samples');

/** The text of a sample with every PhishModel's `spec.artifact.sha256` set from models/<artifact>.sha256. */
export function withDigests(text: string, digestOf: (artifact: string) => string): string {
  return pinDigests(text, digestOf, []);
}

/** The text of a chart values file with `phishModel.spec.artifact.sha256` set from models/<artifact>.sha256. */
export function valuesWithDigests(text: string, digestOf: (artifact: string) => string): string {
  return pinDigests(text, digestOf, ['phishModel']);
}

/**
 * A Markdown text with every artifact digest in its examples pinned: a `sha256` field (`sha256: <hex>` in YAML,
 * `"sha256":"<hex>"` in JSON) takes the digest of the last bundled artifact name (`<name>.tar.gz`, one of `artifacts`)
 * written before it, when that name stands at most 400 characters before it. Other digests stay as written.
 */
export function docWithDigests(text: string, artifacts: readonly string[], digestOf: (artifact: string) => string): string {
  const names = artifacts.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const re = new RegExp(`(${names})|(sha256"?\\s*:\\s*"?)([0-9a-f]{64})`, 'g');
  let last: { artifact: string; at: number } | undefined;
  return text.replace(re, (match, artifact: string | undefined, field: string | undefined, _hex: string | undefined, at: number) => {
    if (artifact !== undefined) {
      last = { artifact, at };
      return match;
    }
    return last !== undefined && at - last.at <= 400 ? `${field}${digestOf(last.artifact)}` : match;
  });
}

/** Chart values files holding a PhishModel spec under `phishModel.spec`. */
export const VALUES_FILES = ['charts/phishnet/values.yaml', 'charts/phishnet/ci/production-values.yaml'];

// `prefix` [] = PhishModel documents (spec at the top), ['phishModel'] = chart values (spec under phishModel).
function pinDigests(text: string, digestOf: (artifact: string) => string, prefix: string[]): string {
  const docs = parseAllDocuments(text);
  let out = '';
  let from = 0;
  for (const doc of docs) {
    const o = doc.getIn(prefix.length > 0 ? prefix : [], false) as unknown;
    const js = (prefix.length > 0 ? (o as { toJSON?: () => unknown } | undefined)?.toJSON?.() : doc.toJS()) as
      { kind?: string; spec?: { artifact?: { uri?: string } } } | null | undefined;
    const isModel = prefix.length > 0 || js?.kind === 'PhishModel';
    const uri = isModel ? js?.spec?.artifact?.uri : undefined;
    const node = uri === undefined ? undefined : doc.getIn([...prefix, 'spec', 'artifact', 'sha256'], true) as { range?: [number, number, number] } | undefined;
    if (uri === undefined || node?.range === undefined) continue;
    const [start, end] = node.range;
    out += `${text.slice(from, start)}"${digestOf(basename(uri))}"`;
    from = end;
  }
  return out + text.slice(from);
}

/** The artifacts in models/ that ship a checksum file (`<artifact>.sha256`). */
export function bundledArtifacts(): string[] {
  return readdirSync(join(ROOT, 'models')).filter((n) => n.endsWith('.tar.gz.sha256')).map((n) => n.slice(0, -'.sha256'.length)).sort();
}

/** The digest of a bundled artifact, from its checksum file in models/. @throws when the file is missing */
export function bundledDigest(artifact: string): string {
  return digestOfSha256File(readFileSync(join(ROOT, 'models', `${artifact}.sha256`), 'utf8'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const digestOf = bundledDigest;
  for (const f of readdirSync(SAMPLES).filter((n) => /^phishmodel.*\.ya?ml$/.test(n)).sort()) {
    const path = join(SAMPLES, f);
    const text = readFileSync(path, 'utf8');
    const next = withDigests(text, digestOf);
    if (next !== text) writeFileSync(path, next);
  }
  for (const f of VALUES_FILES) {
    const path = join(ROOT, f);
    const text = readFileSync(path, 'utf8');
    const next = valuesWithDigests(text, digestOf);
    if (next !== text) writeFileSync(path, next);
  }
  const readme = join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const next = docWithDigests(text, bundledArtifacts(), digestOf);
  if (next !== text) writeFileSync(readme, next);
  console.log(`wrote the artifact digests of manifests/samples/phishmodel-*.yaml, ${VALUES_FILES.join(', ')} and README.md`);
}
