/**
 * Scoring: canonical URLs → features → ONNX model → calibrated score, verdict, threat level, reasons.
 * `session.run()` blocks the calling thread, so the service calls this inside worker threads (see `pool/`).
 */
import * as ort from 'onnxruntime-node';
import type { CanonicalUrl } from '@phishnet/api';
import type { ModelRef, Prediction } from '@phishnet/api';
import { featureSetFor, ngramDot, reasonsFor, type FeatureSet } from '../features/index.ts';
import type { Artifact } from './artifact.ts';
import type { ModelManifest } from './manifest.ts';
import { calibrate, modelReasons, threatLevelFor, verdictFor } from './verdict.ts';

/** A loaded model ready to score. */
export class Scorer {
  readonly manifest: ModelManifest;
  readonly ref: ModelRef;
  /** The dense feature set the model was trained on (`manifest.featureSet`). */
  readonly featureSet: FeatureSet;
  readonly #session: ort.InferenceSession;
  readonly #ngram: { weights: Float32Array; bias: number } | null;

  private constructor(manifest: ModelManifest, ref: ModelRef, session: ort.InferenceSession, ngramWeights?: Float32Array) {
    this.manifest = manifest;
    this.ref = ref;
    this.#session = session;
    const featureSet = featureSetFor(manifest.featureSet);
    if (featureSet === undefined) throw new Error(`feature set ${manifest.featureSet} is not implemented by this build`); // loadArtifact refuses it first
    this.featureSet = featureSet;
    this.#ngram = ngramWeights && manifest.ngramModel ? { weights: ngramWeights, bias: manifest.ngramModel.bias } : null;
  }

  /**
   * Creates an onnxruntime session for a verified artifact.
   * @param intraOpNumThreads onnxruntime threads per session (1 per worker on small machines)
   */
  static async create(artifact: Artifact, intraOpNumThreads = 1): Promise<Scorer> {
    const session = await ort.InferenceSession.create(artifact.onnx, {
      intraOpNumThreads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    const m = artifact.manifest;
    return new Scorer(m, { name: m.name, version: m.version, digest: artifact.digest }, session, artifact.ngramWeights);
  }

  /**
   * Raw (uncalibrated) model probabilities for a row-major float32 feature matrix.
   * @param matrix length rows × featureSet.count
   * @returns Float64Array of length rows, each 0..1
   */
  async rawScores(matrix: Float32Array, rows: number): Promise<Float64Array> {
    const input = new ort.Tensor('float32', matrix, [rows, this.featureSet.count]);
    const out = await this.#session.run({ [this.manifest.input.name]: input }, [this.manifest.output.name]);
    const probs = out[this.manifest.output.name];
    if (!probs) throw new Error(`model output ${this.manifest.output.name} missing`);
    const data = probs.data as Float32Array;
    const cols = probs.dims[1] ?? 1;
    const res = new Float64Array(rows);
    for (let i = 0; i < rows; i++) res[i] = data[i * cols + this.manifest.output.column] ?? Number.NaN;
    return res;
  }

  /**
   * The n-gram model's logit for a canonical URL: bias + Σ weight[bucket] · value over its `char-ngram/v1` vector
   * (summed in float64); undefined when the model has no n-gram part.
   */
  ngramLogit(url: CanonicalUrl): number | undefined {
    if (this.#ngram === null) return undefined;
    return this.#ngram.bias + ngramDot(url, this.#ngram.weights);
  }

  /**
   * Scores canonical URLs: one prediction per URL, in order. Reasons: the rule reasons of the URL's features (any
   * verdict), then, for a phishing or suspicious verdict, the model reasons (see `modelReasons`).
   */
  async predict(urls: readonly CanonicalUrl[]): Promise<Prediction[]> {
    const { count, vector } = this.featureSet;
    const matrix = new Float32Array(urls.length * count);
    const features = urls.map((u, i) => vector(u, matrix.subarray(i * count, (i + 1) * count)).values);
    const raw = await this.rawScores(matrix, urls.length);
    const cal = this.manifest.calibration;
    return urls.map((u, i) => {
      const z = this.ngramLogit(u);
      const r = raw[i] ?? Number.NaN;
      const score = calibrate(r, cal, z);
      const verdict = verdictFor(score, this.manifest.thresholds);
      const rules = reasonsFor(features[i]!);
      const reasons = verdict === 'legitimate' ? rules : [...rules, ...modelReasons(verdict, r, cal, z)];
      return { url: u.href, score, verdict, threatLevel: threatLevelFor(verdict, rules), reasons };
    });
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}
