/**
 * The dense feature sets this build implements, by the id written into model manifests (`manifest.featureSet`).
 * A model names its feature set; the loader refuses ids not listed here and the scorer computes the named one, so
 * artifacts of several versions (the bundled default and a canary) can be served side by side.
 */
import type { CanonicalUrl } from '@phishnet/api';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SET_ID, featureVector, type FeatureValues } from './url-lexical-v1.ts';
import { FEATURE_COUNT_V2, FEATURE_NAMES_V2, FEATURE_SET_ID_V2, featureVectorV2 } from './url-lexical-v2.ts';

/** One dense feature set: column names (vector order), length, and the extraction function. */
export interface FeatureSet {
  readonly id: string;
  readonly names: readonly string[];
  readonly count: number;
  /**
   * Writes the vector of a canonical URL into `out` (length `count`, overwritten) and returns the `url-lexical/v1`
   * named values (the input of rule reasons, shared by every version).
   */
  readonly vector: (url: CanonicalUrl, out: Float32Array) => { values: FeatureValues; vector: Float32Array };
}

export const FEATURE_SETS: ReadonlyMap<string, FeatureSet> = new Map([
  [FEATURE_SET_ID, { id: FEATURE_SET_ID, names: FEATURE_NAMES, count: FEATURE_COUNT, vector: featureVector }],
  [FEATURE_SET_ID_V2, { id: FEATURE_SET_ID_V2, names: FEATURE_NAMES_V2, count: FEATURE_COUNT_V2, vector: featureVectorV2 }],
]);

/** The feature set with this id, or undefined when this build does not implement it. */
export function featureSetFor(id: string): FeatureSet | undefined {
  return FEATURE_SETS.get(id);
}
