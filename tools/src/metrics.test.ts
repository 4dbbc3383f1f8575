import { describe, expect, it } from 'vitest';
import { averagePrecision, brier, ece, rocAuc, summarize, tprAtFpr } from './metrics.ts';

// Expected values computed with training/phishnet_training/metrics.py (scikit-learn 1.7) on the same arrays, so the
// TypeScript evaluation and the Python cross-validation report the same numbers.
const y = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0];
const p = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.4, 0.4, 0.65, 0.05];

describe('metrics agree with scikit-learn', () => {
  it('summarize', () => {
    const m = summarize(y, p);
    expect(m.n).toBe(10);
    expect(m.positives).toBe(5);
    expect(m.rocAuc).toBeCloseTo(0.88, 10);
    expect(m.prAuc).toBeCloseTo(0.8761904761904762, 10);
    expect(m.tprAt1PctFpr).toBeCloseTo(0.6, 10);
    expect(m.brier).toBeCloseTo(0.13275, 10);
    expect(m.ece).toBeCloseTo(0.185, 10);
  });
  it('perfect and inverted rankings', () => {
    expect(rocAuc([0, 1], [0.1, 0.9])).toBe(1);
    expect(rocAuc([0, 1], [0.9, 0.1])).toBe(0);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5); // a tie counts half
    expect(averagePrecision([0, 1, 1], [0.1, 0.8, 0.9])).toBe(1);
    expect(tprAtFpr([0, 0, 1, 1], [0.9, 0.1, 0.8, 0.7], 0)).toBe(0); // the top score is a negative
  });
  it('one class → NaN for ranking metrics, defined for Brier', () => {
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(brier([1, 1], [1, 0])).toBe(0.5);
    expect(ece([1, 0], [1, 0])).toBe(0);
  });
});
