/** Public entry of the feature sets: `url-lexical/v1` (dense) and `char-ngram/v1` (sparse) extraction, reason codes. */
/** Hosting platforms the Public Suffix List misses; the lists workspace also refuses them as list entries. */
export { FREE_HOSTING } from './lexicons.ts';
export {
  FEATURE_SET_ID, FEATURES, FEATURE_NAMES, FEATURE_COUNT, NAMED_FEATURE_NAMES, NAMED_FEATURE_COUNT, TOKEN_BUCKETS,
  extractFeatures, featureVector, tokenBuckets, registeredDomain,
  type FeatureName, type FeatureValues,
} from './url-lexical-v1.ts';
export { reasonsFor } from './reasons.ts';
export {
  NGRAM_FEATURE_SET_ID, NGRAM_BUCKETS, NGRAM_MIN, NGRAM_MAX, charNgrams, ngramDot, ngramText, ngramBucket, ngramsOfText, type SparseVector,
} from './char-ngrams.ts';
export {
  FEATURE_SET_ID_V2, FEATURES_V2, FEATURE_NAMES_V2, FEATURE_COUNT_V2, extractFeaturesV2, featureVectorV2, type FeatureNameV2,
} from './url-lexical-v2.ts';
export { FEATURE_SETS, featureSetFor, type FeatureSet } from './feature-sets.ts';
