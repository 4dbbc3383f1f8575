import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('inference configuration', () => {
  it('defaults: 2 workers, batches of up to 64, 2 ms wait, preferred batch 32', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ workers: 2, maxBatch: 64, maxWaitMs: 2, preferredBatch: 32, maxQueue: 10_000 });
  });

  it('names each bad variable', () => {
    expect(() => parseConfig({ PHISHNET_INFERENCE_WORKERS: '0', PHISHNET_INFERENCE_MAX_WAIT_MS: 'soon' }))
      .toThrow(/PHISHNET_INFERENCE_WORKERS[\s\S]*PHISHNET_INFERENCE_MAX_WAIT_MS|PHISHNET_INFERENCE_MAX_WAIT_MS[\s\S]*PHISHNET_INFERENCE_WORKERS/);
  });

  it('refuses a preferred batch larger than the largest batch', () => {
    expect(() => parseConfig({ PHISHNET_INFERENCE_MAX_BATCH: '16', PHISHNET_INFERENCE_PREFERRED_BATCH: '32' })).toThrow(ConfigError);
    expect(parseConfig({ PHISHNET_INFERENCE_MAX_BATCH: '16', PHISHNET_INFERENCE_PREFERRED_BATCH: '16' }).preferredBatch).toBe(16);
  });
});
