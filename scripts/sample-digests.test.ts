/**
 * The README's PhishModel examples carry the real digests of the bundled artifacts (scripts/sample-digests.ts pins them
 * from models/*.sha256 in `npm run gen`): an example with another artifact's digest would be refused by inference.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { bundledArtifacts, bundledDigest, docWithDigests } from './sample-digests.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

describe('artifact digests in the README', () => {
  test('every sha256 next to a bundled artifact name is that artifact\'s digest', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    expect(docWithDigests(readme, bundledArtifacts(), bundledDigest)).toBe(readme);
  });

  test('a digest is set from the artifact named before it, in YAML and JSON, and left alone far from any name', () => {
    const digestOf = (a: string) => (a === 'm-v5.tar.gz' ? '5'.repeat(64) : '4'.repeat(64));
    const text = [
      'uri: file:///app/models/m-v5.tar.gz', `sha256: ${'0'.repeat(64)}`,
      `{"uri":"m-v4.tar.gz","sha256":"${'0'.repeat(64)}"}`,
      'x'.repeat(500), `sha256: ${'0'.repeat(64)}`,
    ].join('\n');
    const out = docWithDigests(text, ['m-v4.tar.gz', 'm-v5.tar.gz'], digestOf);
    expect(out).toContain(`sha256: ${'5'.repeat(64)}`);
    expect(out).toContain(`"sha256":"${'4'.repeat(64)}"`);
    expect(out.endsWith(`sha256: ${'0'.repeat(64)}`)).toBe(true);
  });
});
