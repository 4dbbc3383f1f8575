import { describe, expect, it } from 'vitest';
import { canonicalize } from '@phishnet/api';
import { FEATURE_COUNT, FEATURE_NAMES, featureVector } from './url-lexical-v1.ts';
import {
  FEATURES_V2, FEATURE_COUNT_V2, FEATURE_NAMES_V2, bigramLogprob, extractFeaturesV2, featureVectorV2, segment, type FeatureNameV2,
} from './url-lexical-v2.ts';
import { featureSetFor } from './feature-sets.ts';

// Hand-checked values: counted from the site label (left of the longest public suffix, private suffixes included).
const VECTORS: { url: string; expect: Partial<Record<FeatureNameV2, number>> }[] = [
  { url: 'https://secure-login-paypal.com/', expect: { site_label_length: 19, site_label_hyphen_count: 2, site_label_word_coverage: 1, site_label_word_count: 3, brand_edit_distance: 0, tld_is_new_generic: 0 } },
  { url: 'https://www.southbankmosaics.co.uk/', expect: { site_label_length: 16, site_label_hyphen_count: 0, site_label_digit_count: 0 } },
  { url: 'https://xkqzvtr8831.xyz/', expect: { site_label_digit_count: 4, site_label_digit_run: 4, site_label_vowel_ratio: 0, site_label_word_coverage: 0, site_label_word_count: 0, tld_is_new_generic: 1 } },
  { url: 'http://paypa1.com/', expect: { brand_edit_distance: 1, site_label_digit_run: 1 } },
  { url: 'http://aaaab.com/', expect: { site_label_repeat_run: 4 } },
  { url: 'https://foo.duckdns.org/', expect: { host_on_ddns: 1, host_on_edge_hosting: 0, site_label_length: 3 } },
  { url: 'https://login-apple.pages.dev/', expect: { host_on_edge_hosting: 1, site_label_word_coverage: 1, site_label_word_count: 2, brand_edit_distance: 0 } },
  { url: 'https://mail123.box45.example.shop/x', expect: { subdomain_digit_run: 3, tld_is_new_generic: 1, site_label_length: 7 } },
  { url: 'http://192.0.2.7/login', expect: { site_label_length: 0, brand_edit_distance: 4, site_label_bigram_logprob: 0, host_on_ddns: 0, tld_is_new_generic: 0 } },
];

describe('url-lexical/v2', () => {
  it.each(VECTORS)('$url', ({ url, expect: want }) => {
    const got = extractFeaturesV2(canonicalize(url));
    for (const [k, v] of Object.entries(want)) expect(got[k as FeatureNameV2], k).toBeCloseTo(v, 6);
  });

  it('starts with every url-lexical/v1 column, same values, then the v2 features in FEATURES_V2 order', () => {
    expect(FEATURE_NAMES_V2.slice(0, FEATURE_COUNT)).toEqual(FEATURE_NAMES);
    expect(FEATURE_NAMES_V2.slice(FEATURE_COUNT)).toEqual(FEATURES_V2.map((f) => f.name));
    expect(FEATURE_COUNT_V2).toBe(FEATURE_COUNT + FEATURES_V2.length);
    for (const url of ['https://www.paypal.com/signin?x=1', 'http://secure-login-paypal.com/', 'http://192.0.2.7/a/b']) {
      const u = canonicalize(url);
      const v2 = featureVectorV2(u).vector;
      expect(Array.from(v2.subarray(0, FEATURE_COUNT))).toEqual(Array.from(featureVector(u).vector));
      expect(Array.from(v2.subarray(FEATURE_COUNT))).toEqual(Object.values(extractFeaturesV2(u)).map((x) => Math.fround(x)));
    }
  });

  it('ignores the scheme and a leading www., like v1', () => {
    const a = featureVectorV2(canonicalize('https://www.secure-paypal1.net')).vector;
    expect(featureVectorV2(canonicalize('http://secure-paypal1.net/')).vector).toEqual(a);
  });

  it('word-like names score higher than random letters (segmentation and the letter-bigram model)', () => {
    expect(segment('southbankmosaics').covered).toBeGreaterThanOrEqual(9); // south, bank
    expect(segment('qwxzkvbn').covered).toBe(0);
    expect(bigramLogprob('southbankmosaics')).toBeGreaterThan(bigramLogprob('xkqzvtrwq'));
  });

  it('every feature documents its unit; the registry serves both versions', () => {
    for (const f of FEATURES_V2) expect(f.unit.length).toBeGreaterThan(0);
    expect(featureSetFor('url-lexical/v1')?.count).toBe(FEATURE_COUNT);
    expect(featureSetFor('url-lexical/v2')?.count).toBe(FEATURE_COUNT_V2);
    expect(featureSetFor('url-lexical/v9')).toBeUndefined();
  });
});
