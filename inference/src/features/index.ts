/** Public entry of the feature set: `url-lexical/v1` extraction and reason codes. */
export {
  FEATURE_SET_ID, FEATURES, FEATURE_NAMES, FEATURE_COUNT, extractFeatures, toVector, registeredDomain,
  type FeatureName, type FeatureValues,
} from './url-lexical-v1.ts';
export { REASONS, REASON_CODES, reasonsFor, type ReasonCode } from './reasons.ts';
