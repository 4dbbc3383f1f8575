import { afterEach, describe, expect, it, vi } from 'vitest';
import { MicroBatcher, QueueFullError } from './micro-batcher.ts';

/** A batcher whose runs are recorded and finish when the test says so. */
function recording(opts: { maxBatch: number; maxWaitMs: number; preferredBatch?: number; maxInFlight?: number; maxQueue?: number }) {
  const runs: { urls: string[]; finish: () => void }[] = [];
  const batcher = new MicroBatcher<string>({
    maxInFlight: 1, maxQueue: 1_000, ...opts,
    run: (urls) => new Promise((resolve) => runs.push({ urls, finish: () => resolve(urls.map((u) => `scored:${u}`)) })),
  });
  return { batcher, runs };
}

const urls = (n: number, tag = 'u') => Array.from({ length: n }, (_, i) => `${tag}${i}`);

describe('MicroBatcher dispatch', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds fewer than preferredBatch URLs for maxWaitMs, then dispatches them', async () => {
    vi.useFakeTimers();
    const { batcher, runs } = recording({ maxBatch: 64, maxWaitMs: 50, preferredBatch: 8 });
    const p = batcher.submit(urls(7));
    expect(runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(49);
    expect(runs).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2);
    expect(runs.map((r) => r.urls.length)).toEqual([7]);
    runs[0]!.finish();
    expect(await p).toEqual(urls(7).map((u) => `scored:${u}`));
  });

  it('dispatches preferredBatch URLs to a free worker at once, without the wait', async () => {
    vi.useFakeTimers();
    const { batcher, runs } = recording({ maxBatch: 64, maxWaitMs: 50, preferredBatch: 8 });
    const p = batcher.submit(urls(8));
    expect(runs.map((r) => r.urls.length)).toEqual([8]);
    runs[0]!.finish();
    expect(await p).toHaveLength(8);
  });

  it('without preferredBatch, waits until maxBatch URLs wait (the previous rule)', async () => {
    vi.useFakeTimers();
    const { batcher, runs } = recording({ maxBatch: 16, maxWaitMs: 50 });
    void batcher.submit(urls(15));
    expect(runs).toHaveLength(0);
    void batcher.submit(urls(1, 'v'));
    expect(runs.map((r) => r.urls.length)).toEqual([16]);
  });

  it('while the worker is busy, URLs wait; when it frees, they go in runs of at most maxBatch, requests split across runs', async () => {
    const { batcher, runs } = recording({ maxBatch: 10, maxWaitMs: 0, preferredBatch: 4 });
    const a = batcher.submit(urls(4, 'a'));
    const b = batcher.submit(urls(12, 'b'));
    expect(runs.map((r) => r.urls)).toEqual([urls(4, 'a')]);
    expect(batcher.waiting).toBe(12);
    runs[0]!.finish();
    expect(await a).toHaveLength(4);
    await vi.waitFor(() => expect(runs).toHaveLength(2));
    expect(runs[1]!.urls).toEqual(urls(10, 'b'));
    runs[1]!.finish();
    await vi.waitFor(() => expect(runs).toHaveLength(3));
    expect(runs[2]!.urls).toEqual(['b10', 'b11']);
    runs[2]!.finish();
    expect(await b).toEqual(urls(12, 'b').map((u) => `scored:${u}`));
  });

  it('rejects a preferredBatch outside 1..maxBatch, and work beyond maxQueue', async () => {
    expect(() => recording({ maxBatch: 8, maxWaitMs: 1, preferredBatch: 9 })).toThrow(RangeError);
    expect(() => recording({ maxBatch: 8, maxWaitMs: 1, preferredBatch: 0 })).toThrow(RangeError);
    const { batcher } = recording({ maxBatch: 8, maxWaitMs: 1_000, preferredBatch: 8, maxQueue: 5 });
    void batcher.submit(urls(5));
    await expect(batcher.submit(urls(1, 'x'))).rejects.toBeInstanceOf(QueueFullError);
  });
});
