import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { FILES, bundledDigest, isPlaceholderDigest, pinDigests } from './pin-digests.ts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

describe('artifact digests in values and samples', () => {
  test.each(FILES)('%s is pinned to models/*.sha256 (npm run gen:digests)', (f) => {
    const { changes } = pinDigests(readFileSync(join(ROOT, f), 'utf8'), (file) => bundledDigest(ROOT, file));
    expect(changes).toEqual([]);
  });

  test('no chart, manifest, value file or doc carries a placeholder sha256', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ya?ml|md|json)$/.test(name)) {
          readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
            for (const m of line.matchAll(/sha256\W{1,4}([0-9a-f]{64})\b/g)) {
              if (isPlaceholderDigest(m[1]!)) offenders.push(`${p.slice(ROOT.length + 1)}:${i + 1}`);
            }
          });
        }
      }
    };
    for (const d of ['charts', 'manifests', 'models']) walk(join(ROOT, d));
    for (const f of readdirSync(ROOT).filter((n) => n.endsWith('.md'))) {
      readFileSync(join(ROOT, f), 'utf8').split('\n').forEach((line, i) => {
        for (const m of line.matchAll(/([0-9a-f]{64})/g)) if (isPlaceholderDigest(m[1]!)) offenders.push(`${f}:${i + 1}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  test('pinDigests rewrites the sibling sha256 of an artifact uri, before or after it, and nothing else', () => {
    const digest = 'ab'.repeat(32);
    const src = [
      'phishModel:',
      '  spec:',
      '    artifact:',
      '      uri: file:///app/models/m-v1.tar.gz',
      '      # the digest',
      '      sha256: "0000000000000000000000000000000000000000000000000000000000000000"  # trailing',
      '      version: v1',
      '  other:',
      '    - sha256: "1111111111111111111111111111111111111111111111111111111111111111"',
      '      uri: https://x.example/m-v1.tar.gz',
      '  sha256: untouched',
    ].join('\n');
    const { text, changes } = pinDigests(src, (f) => (f === 'm-v1.tar.gz' ? digest : 'unexpected'));
    expect(changes).toHaveLength(2);
    expect(text).toContain(`      sha256: "${digest}"  # trailing`);
    expect(text).toContain(`    - sha256: "${digest}"`);
    expect(text).toContain('  sha256: untouched');
  });

  test('pinDigests refuses an artifact uri without a sha256', () => {
    expect(() => pinDigests('artifact:\n  uri: file:///m.tar.gz\n  version: v1\nsha256: x\n', () => 'd')).toThrow(/no sha256/);
  });

  test('bundledDigest reads models/<file>.sha256', () => {
    expect(bundledDigest(ROOT, 'phishnet-url-lexical-v5.tar.gz')).toMatch(/^[0-9a-f]{64}$/);
    expect(isPlaceholderDigest('0'.repeat(64))).toBe(true);
    expect(isPlaceholderDigest(bundledDigest(ROOT, 'phishnet-url-lexical-v5.tar.gz'))).toBe(false);
  });
});
