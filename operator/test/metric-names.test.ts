/**
 * The operator queries inference series by name without importing the inference package; this checks that every
 * inference name it uses is exported, with the same value, by inference/src/metrics/names.ts (read as text).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as names from '../src/metrics/names.ts';

describe('metric names', () => {
  const source = readFileSync(fileURLToPath(new URL('../../inference/src/metrics/names.ts', import.meta.url)), 'utf8');
  const inferenceNames = new Map([...source.matchAll(/export const (\w+) = '([^']+)'/g)].map((m) => [m[1], m[2]]));
  const used = Object.entries(names).filter(([k]) => k.startsWith('INFERENCE_'));

  it.each(used)('%s matches inference', (key, value) => {
    expect(inferenceNames.get(key)).toBe(value);
  });

  it('own names are snake_case with the component prefixes', () => {
    for (const [k, v] of Object.entries(names)) {
      if (k.startsWith('INFERENCE_') || k.startsWith('GATEWAY_')) continue;
      expect(v).toMatch(/^(phishmodel_|phishnet_operator_|phishnet_feed_)[a-z0-9_]+$/);
    }
  });
});
