import { describe, expect, it } from 'vitest';
import type { ModelManifest } from './manifest.ts';
import { modelReasons } from './verdict.ts';

const platt: ModelManifest['calibration'] = { method: 'platt', a: 1, b: 0 };
// aTree 2, aNgram 1: the tree part's contribution is twice its logit.
const stacked: ModelManifest['calibration'] = { method: 'stacked-logistic', aTree: 2, aNgram: 1, b: -1 };
/** Raw tree probability whose logit is `l`. */
const rawFor = (l: number) => 1 / (1 + Math.exp(-l));

describe('modelReasons', () => {
  it('gives none for a legitimate verdict, whatever the model parts say', () => {
    expect(modelReasons('legitimate', 0.99, platt)).toEqual([]);
    expect(modelReasons('legitimate', 0.99, stacked, 5)).toEqual([]);
  });

  it('names the tree model for a tree-only (platt) model', () => {
    expect(modelReasons('phishing', 0.2, platt)).toEqual(['PHISHING_LIKE_FEATURES']);
    expect(modelReasons('suspicious', 0.6, platt)).toEqual(['PHISHING_LIKE_FEATURES']);
  });

  it('names each stacked part that scores the URL as phishing on its own', () => {
    expect(modelReasons('phishing', rawFor(1), stacked, -2)).toEqual(['PHISHING_LIKE_FEATURES']);
    expect(modelReasons('phishing', rawFor(-1), stacked, 3)).toEqual(['PHISHING_LIKE_NGRAMS']);
  });

  it('lists both parts by their contribution to the stacked logit, larger first', () => {
    // tree 2·1 = 2 against n-grams 3: n-grams first; tree 2·2 = 4 against 3: tree first.
    expect(modelReasons('phishing', rawFor(1), stacked, 3)).toEqual(['PHISHING_LIKE_NGRAMS', 'PHISHING_LIKE_FEATURES']);
    expect(modelReasons('phishing', rawFor(2), stacked, 3)).toEqual(['PHISHING_LIKE_FEATURES', 'PHISHING_LIKE_NGRAMS']);
  });

  it('names the larger contribution when neither part leans phishing on its own', () => {
    // tree 2·(−0.1) = −0.2 against n-grams −0.5: the tree part pushes least against phishing.
    expect(modelReasons('suspicious', rawFor(-0.1), stacked, -0.5)).toEqual(['PHISHING_LIKE_FEATURES']);
    expect(modelReasons('suspicious', rawFor(-0.4), stacked, -0.5)).toEqual(['PHISHING_LIKE_NGRAMS']);
  });
});
