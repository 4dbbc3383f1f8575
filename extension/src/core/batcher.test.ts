import { describe, expect, test } from 'vitest';
import { Batcher } from './batcher.ts';

/** A manual timer: `fire()` runs the pending window callbacks. */
function manualTimer() {
  const fns: (() => void)[] = [];
  return { setTimer: (fn: () => void) => { fns.push(fn); }, fire: () => { for (const f of fns.splice(0)) f(); }, pending: () => fns.length };
}

describe('Batcher', () => {
  test('URLs checked within one window go out as one batch, results in order', async () => {
    const sent: string[][] = [];
    const t = manualTimer();
    const b = new Batcher<string>(async (urls) => { sent.push(urls); return urls.map((u) => `v:${u}`); }, { setTimer: t.setTimer });
    const ps = [b.check('http://a/'), b.check('http://b/'), b.check('http://c/')];
    expect(sent).toEqual([]);
    expect(t.pending()).toBe(1);
    t.fire();
    expect(await Promise.all(ps)).toEqual(['v:http://a/', 'v:http://b/', 'v:http://c/']);
    expect(sent).toEqual([['http://a/', 'http://b/', 'http://c/']]);
  });

  test('one URL twice in a window, or again while its batch is in flight, is looked up once', async () => {
    const sent: string[][] = [];
    const t = manualTimer();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const b = new Batcher<string>(async (urls) => { sent.push(urls); await gate; return urls.map((u) => `v:${u}`); }, { setTimer: t.setTimer });
    const p1 = b.check('http://a/');
    const p2 = b.check('http://a/');
    t.fire();
    const p3 = b.check('http://a/'); // in flight: joins it, no new window
    expect(t.pending()).toBe(0);
    release();
    expect(await Promise.all([p1, p2, p3])).toEqual(['v:http://a/', 'v:http://a/', 'v:http://a/']);
    expect(sent).toEqual([['http://a/']]);
    // Settled: a later check is a new lookup.
    const p4 = b.check('http://a/');
    t.fire();
    await p4;
    expect(sent.length).toBe(2);
  });

  test('a full batch is sent without waiting for the window', async () => {
    const sent: string[][] = [];
    const t = manualTimer();
    const b = new Batcher<string>(async (urls) => { sent.push(urls); return urls; }, { setTimer: t.setTimer, max: 2 });
    const ps = [b.check('1'), b.check('2'), b.check('3')];
    expect(sent).toEqual([['1', '2']]);
    t.fire();
    await Promise.all(ps);
    expect(sent).toEqual([['1', '2'], ['3']]);
  });

  test('a failed batch rejects every caller; a wrong-length answer is an error', async () => {
    const t = manualTimer();
    const failing = new Batcher<string>(async () => { throw new Error('down'); }, { setTimer: t.setTimer });
    const ps = [failing.check('a'), failing.check('b')];
    t.fire();
    for (const p of ps) await expect(p).rejects.toThrow('down');
    const short = new Batcher<string>(async () => ['only one'], { setTimer: t.setTimer });
    const qs = [short.check('a'), short.check('b')];
    t.fire();
    for (const q of qs) await expect(q).rejects.toThrow(/1 verdicts for 2 URLs/);
  });
});
