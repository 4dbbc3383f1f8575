import { describe, expect, it } from 'vitest';
import { WorkQueue } from './queue.ts';

describe('WorkQueue', () => {
  it('deduplicates queued keys and keeps FIFO order', async () => {
    const q = new WorkQueue({ baseMs: 10, maxMs: 100 });
    q.add('a'); q.add('b'); q.add('a');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands a key in processing to a second worker; re-queues it once after done', async () => {
    const q = new WorkQueue({ baseMs: 10, maxMs: 100 });
    q.add('a');
    const k = await q.get();
    q.add('a'); q.add('a');
    expect(q.depth).toBe(0);
    q.done(k as string);
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('backs off per key exponentially up to the cap, and forget() resets', () => {
    const q = new WorkQueue({ baseMs: 10, maxMs: 50 });
    expect([1, 2, 3, 4, 5].map(() => q.addRateLimited('a'))).toEqual([10, 20, 40, 50, 50]);
    expect(q.addRateLimited('b')).toBe(10);
    q.forget('a');
    expect(q.addRateLimited('a')).toBe(10);
    q.shutdown();
  });

  it('addAfter delivers after the delay; an earlier delay wins', async () => {
    const q = new WorkQueue({ baseMs: 10, maxMs: 100 });
    const t0 = Date.now();
    q.addAfter('a', 500);
    q.addAfter('a', 30);
    expect(await q.get()).toBe('a');
    expect(Date.now() - t0).toBeLessThan(400);
    q.shutdown();
    expect(await q.get()).toBeNull();
  });
});
