/**
 * The operator's verdict-disagreement analysis queries the gateway's mirror counters by name (it imports neither
 * service); this checks that every GATEWAY_* name the operator uses is exported, with the same value, by the
 * gateway's names.ts (the operator's file read as text, as its own test does for inference).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import * as names from '../src/metrics/names.ts';

test('gateway names read by the operator exist here with the same value', () => {
  const source = readFileSync(fileURLToPath(new URL('../../operator/src/metrics/names.ts', import.meta.url)), 'utf8');
  const used = [...source.matchAll(/export const GATEWAY_(\w+) = '([^']+)'/g)].map((m) => [m[1]!, m[2]!] as const);
  expect(used.length).toBeGreaterThanOrEqual(2);
  const ours = names as Record<string, string>;
  for (const [key, value] of used) expect(ours[key], key).toBe(value);
});
