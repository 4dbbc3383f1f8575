/** Public entry of the feature set: `url-lexical/v1` extraction and reason codes. */
export {
  FEATURE_SET_ID, FEATURES, FEATURE_NAMES, FEATURE_COUNT, NAMED_FEATURE_NAMES, NAMED_FEATURE_COUNT, TOKEN_BUCKETS,
  extractFeatures, featureVector, tokenBuckets, registeredDomain,
  type FeatureName, type FeatureValues,
} from './url-lexical-v1.ts';
export { REASONS, REASON_CODES, reasonsFor, type ReasonCode } from './reasons.ts';
