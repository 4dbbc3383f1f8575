import { describe, expect, test } from 'vitest';
import { BACKOFF_FAILURES, BACKOFF_MAX_SECONDS, BACKOFF_MIN_SECONDS, Backoff } from './backoff.ts';

const S = 1000;

describe('Backoff (Chrome real-time lookup constants)', () => {
  test('fewer than 3 consecutive failures never hold calls back; the 3rd starts 5 minutes of backoff', () => {
    const b = new Backoff();
    for (let i = 1; i < BACKOFF_FAILURES; i++) {
      b.failure(0);
      expect(b.allowed(0)).toBe(true);
    }
    b.failure(0);
    expect(b.allowed(0)).toBe(false);
    expect(b.allowed(BACKOFF_MIN_SECONDS * S - 1)).toBe(false);
    expect(b.allowed(BACKOFF_MIN_SECONDS * S)).toBe(true);
  });

  test('a success between failures resets the count', () => {
    const b = new Backoff();
    b.failure(0);
    b.failure(0);
    b.success();
    b.failure(0);
    b.failure(0);
    expect(b.allowed(0)).toBe(true);
  });

  test('a failure right after a backoff backs off again at once, twice as long, capped at 30 minutes', () => {
    const b = new Backoff();
    let t = 0;
    for (let i = 0; i < BACKOFF_FAILURES; i++) b.failure(t);
    const durations: number[] = [];
    let d = BACKOFF_MIN_SECONDS;
    for (let round = 0; round < 5; round++) {
      t += d * S;
      expect(b.allowed(t)).toBe(true); // the probe after the backoff
      b.failure(t); // fails again
      expect(b.allowed(t)).toBe(false);
      d = (b.backingOffUntil - t) / S;
      durations.push(d);
    }
    expect(durations).toEqual([600, 1200, BACKOFF_MAX_SECONDS, BACKOFF_MAX_SECONDS, BACKOFF_MAX_SECONDS]);
    t += d * S;
    expect(b.allowed(t)).toBe(true);
    b.success();
    for (let i = 0; i < BACKOFF_FAILURES; i++) b.failure(t);
    expect(b.backingOffUntil - t).toBe(BACKOFF_MIN_SECONDS * S);
  });

  test('Retry-After holds calls back for that long, without starting the doubling backoff', () => {
    const b = new Backoff();
    b.failure(0, 10);
    expect(b.allowed(9_999)).toBe(false);
    expect(b.allowed(10_000)).toBe(true);
    b.failure(10_000); // 2nd failure: still below the threshold
    expect(b.allowed(10_000)).toBe(true);
    b.failure(0, 24 * 3600); // an absurd Retry-After is capped at 30 minutes (and this 3rd failure starts the backoff)
    expect(b.backingOffUntil).toBe(BACKOFF_MAX_SECONDS * S);
    expect(b.allowed(BACKOFF_MAX_SECONDS * S - 1)).toBe(false);
    expect(b.allowed(BACKOFF_MAX_SECONDS * S)).toBe(true);
  });
});
