import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assess } from './assess.ts';
import { analysisData } from './gate-data.ts';
import {
  compareOnGoldenSet, GateDataError, goldenSetMeasurements, guardrailMeasurement, parseGoldenSet, parseUrlList, rates, tprAtFpr, type Scored,
} from './gates.ts';
import { parseServiceOverrides, ServiceResolver } from './replay.ts';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const AT = '2026-01-01T00:00:00.000Z';
const sc = (score: number, threshold = 0.5): Scored => ({ score, verdict: score >= threshold ? 'phishing' : 'legitimate' });

describe('tprAtFpr() and rates()', () => {
  const labels = [true, true, true, true, false, false, false, false];
  const scores = [0.9, 0.8, 0.4, 0.2, 0.85, 0.3, 0.1, 0.05];
  it.each([
    [0, 0.25], // threshold 0.9 only: one of four phishing, no false positive (0.85 is legitimate)
    [0.25, 0.75], // threshold 0.4: 0.9, 0.85 (FP), 0.8, 0.4 → tp 3, fp 1
    [0.5, 1], // threshold 0.2: 0.9, 0.85, 0.8, 0.4, 0.3, 0.2 → tp 4, fp 2
    [1, 1],
  ])('max FPR %s → TPR %s', (fpr, tpr) => {
    expect(tprAtFpr(labels, scores, fpr)).toBe(tpr);
  });
  it('ties are flagged together', () => {
    expect(tprAtFpr([true, false], [0.7, 0.7], 0)).toBe(0);
    expect(tprAtFpr([true, false], [0.7, 0.7], 1)).toBe(1);
  });
  it('rates', () => {
    expect(rates(labels, scores.map((s) => s >= 0.5))).toEqual({ tpr: 0.5, fpr: 0.25 });
  });
});

describe('golden-set gate', () => {
  const set = [...[0.9, 0.8, 0.7, 0.6].map((_, i) => ({ url: `https://p${i}.example/`, phishing: true })), ...[0, 1, 2, 3].map((i) => ({ url: `https://l${i}.example/`, phishing: false }))];
  const stable = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1, 0.05].map((s) => sc(s));
  const limits = { maxDetectionDrop: 0.02, maxFalsePositiveRateIncrease: 0.01 };
  const verdicts = (canary: (Scored | null)[]) => assess(goldenSetMeasurements(compareOnGoldenSet(set, stable, canary), limits, 'set'), 100, AT).runs.map((r) => `${r.metric}:${r.verdict}`);

  it.each([
    ['the same model (another digest) passes', stable, ['golden-set-detection-drop:Successful', 'golden-set-fpr-increase:Successful']],
    ['a recalibrated model with the same ranking passes', [0.99, 0.98, 0.97, 0.96, 0.4, 0.3, 0.2, 0.1].map((s) => sc(s)), ['golden-set-detection-drop:Successful', 'golden-set-fpr-increase:Successful']],
    ['a model that ranks two phishing URLs under the legitimate ones fails detection', [0.9, 0.8, 0.1, 0.05, 0.3, 0.2, 0.15, 0.12].map((s) => sc(s)), ['golden-set-detection-drop:Failed', 'golden-set-fpr-increase:Successful']],
    ['the same model with its phishing threshold raised fails detection (its verdicts catch half the phishing)', [0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1, 0.05].map((s) => sc(s, 0.75)), ['golden-set-detection-drop:Failed', 'golden-set-fpr-increase:Successful']],
    ['a model that flags everything fails false positives', stable.map((s) => ({ ...s, verdict: 'phishing' as const })), ['golden-set-detection-drop:Successful', 'golden-set-fpr-increase:Failed']],
  ])('%s', (_n, canary, want) => {
    expect(verdicts(canary)).toEqual(want);
  });

  it('leaves per-URL errors out of both arms; the minSampleCount of traffic metrics does not apply', () => {
    const r = compareOnGoldenSet(set, stable, [null, ...stable.slice(1)]);
    expect(r.scored).toBe(7);
    const [drop] = assess(goldenSetMeasurements(r, limits, 'set'), 1000, AT).runs;
    expect(drop).toMatchObject({ verdict: 'Successful', sampleCount: 7, value: 0 });
  });

  it('refuses data without both labels', () => {
    expect(() => parseGoldenSet('url,label\nhttps://a.example/,1\n')).toThrow(GateDataError);
    expect(() => parseGoldenSet('u,l\nhttps://a.example/,1\n')).toThrow(/url and label/);
    expect(parseGoldenSet('# c\nurl,label,source\nhttps://a.example/,1,x\nhttps://b.example/,0,y\nhttps://c.example/,2,z\n')).toEqual([
      { url: 'https://a.example/', phishing: true }, { url: 'https://b.example/', phishing: false },
    ]);
  });
});

describe('popular-domain-guardrail gate', () => {
  const urls = ['https://www.google.com/', 'https://github.com/login', 'https://www.mercari.com/jp/'];
  it.each([
    ['at the limit passes', [sc(0.1), sc(0.2), sc(0.9)], 1, 'Successful', 1],
    ['over the limit fails', [sc(0.9), sc(0.2), sc(0.9)], 1, 'Failed', 2],
    ['suspicious is not phishing', [{ score: 0.4, verdict: 'suspicious' as const }, sc(0.2), sc(0.1)], 0, 'Successful', 0],
  ])('%s', (_n, canary, max, verdict, value) => {
    const m = guardrailMeasurement(urls, [sc(0.1), sc(0.1), sc(0.9)], canary, max, 'popular');
    expect(assess([m], 100, AT).runs[0]).toMatchObject({ metric: 'popular-domain-guardrail', verdict, value, sampleCount: 3 });
    expect(m.query).not.toContain('/login'); // hosts only in messages, never full URLs
  });
  it('parses a URL list with comments', () => {
    expect(parseUrlList('# x\n\nhttps://a.example/\n  https://b.example/x \n')).toEqual(['https://a.example/', 'https://b.example/x']);
    expect(() => parseUrlList('# nothing\n')).toThrow(GateDataError);
  });
});

describe('ServiceResolver', () => {
  it('uses cluster DNS by default and an explicit override where given', () => {
    const r = new ServiceResolver('http://{{service}}.{{namespace}}.svc:{{port}}', parseServiceOverrides('ml/inference-m-canary=http://127.0.0.1:9001/'));
    expect(r.url('ml', 'inference-m-stable', 80)).toBe('http://inference-m-stable.ml.svc:80');
    expect(r.url('ml', 'inference-m-canary', 80)).toBe('http://127.0.0.1:9001');
  });
  it.each(['inference-m-canary=http://x', 'ml/x=ftp://h', 'ml/x'])('refuses override %s', (text) => {
    expect(() => parseServiceOverrides(text)).toThrow(/bad service URL override/);
  });
});

describe('the chart ships the gate data built from the fixtures', () => {
  it.each([...analysisData()])('%s is up to date (run: npm run gen:analysis-data)', (file, text) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toBe(text);
  });
  it('the shipped data parses: a golden set of both labels and a popular-URL list', () => {
    const data = analysisData();
    const set = parseGoldenSet(data.get('charts/phishnet/files/analysis/golden-set.csv') as string);
    expect(set.length).toBeGreaterThan(1900);
    expect(set.filter((r) => r.phishing).length).toBeGreaterThan(500);
    expect(set.filter((r) => !r.phishing).length).toBeGreaterThan(500);
    expect(parseUrlList(data.get('charts/phishnet/files/analysis/popular-urls.txt') as string).length).toBeGreaterThan(200);
  });
});
