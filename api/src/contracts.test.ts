import { describe, expect, it } from 'vitest';
import { MODEL_REASONS, REASON_CODES, RULE_REASONS, LIST_REASON_CODES, PREDICTION_REASON_CODES } from './reasons.ts';
import { PredictResponse, ReasonCode, ScoringModel } from './predict.ts';
import { API_VERSION, PHISHMODEL_PLURAL, Traffic } from './phishmodel.ts';

describe('reason codes', () => {
  it('are unique, rule reasons first, then model reasons, then list reasons', () => {
    expect(new Set(REASON_CODES).size).toBe(REASON_CODES.length);
    expect(REASON_CODES).toEqual([...RULE_REASONS.map((r) => r.code), ...MODEL_REASONS.map((r) => r.code), ...LIST_REASON_CODES]);
    expect(PREDICTION_REASON_CODES).not.toContain('KNOWN_PHISHING');
    expect(ReasonCode.safeParse('IP_HOST').success).toBe(true);
    expect(ReasonCode.safeParse('NOT_A_CODE').success).toBe(false);
  });
});

describe('inference answer', () => {
  const model = { name: 'm', version: '1', digest: 'ab'.repeat(32), thresholds: { suspicious: 0.9, phishing: 0.99 } };
  it('carries the scoring model\'s thresholds (required) and its operating points (optional)', () => {
    expect(ScoringModel.safeParse(model).success).toBe(true);
    expect(ScoringModel.safeParse({ ...model, thresholdPolicy: { suspiciousFpr: 0.01, phishingFpr: 0.001 } }).success).toBe(true);
    const { thresholds: _t, ...withoutThresholds } = model;
    expect(PredictResponse.safeParse({ model: withoutThresholds, predictions: [] }).success).toBe(false);
    expect(PredictResponse.safeParse({ model: { ...model, digest: `sha256:${'ab'.repeat(32)}` }, predictions: [] }).success).toBe(false);
  });
});

describe('PhishModel API names and traffic', () => {
  it('names', () => {
    expect(API_VERSION).toBe('phishnet.io/v1alpha1');
    expect(PHISHMODEL_PLURAL).toBe('phishmodels');
  });
  it('traffic refuses unsafe service names and out-of-range percentages', () => {
    const ok = { stableService: 'pm-stable', canaryService: 'pm-canary', port: 8000, canaryWeight: 5, mirrorPercent: 100 };
    expect(Traffic.safeParse(ok).success).toBe(true);
    expect(Traffic.safeParse({ ...ok, canaryWeight: 101 }).success).toBe(false);
    expect(Traffic.safeParse({ ...ok, stableService: 'evil.example:80/x' }).success).toBe(false);
  });
});
