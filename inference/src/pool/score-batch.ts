/**
 * One model run over a batch of URL strings: canonicalize each (a URL that does not canonicalize gets its UrlError
 * code, never a prediction), then score the valid ones in one `Scorer.predict` call. Shared by the worker threads
 * (`worker.ts`) and the inline mode of the pool (workers = 0).
 */
import { canonicalize, UrlError, type CanonicalUrl, type UrlErrorCode } from '../contract/canonical-url.ts';
import type { Prediction } from '../contract/predict.ts';
import type { Scorer } from '../model/scorer.ts';

/** The outcome for one URL: its prediction, or why it cannot be canonicalized (never the URL itself). */
export type ScoredUrl =
  | { readonly ok: true; readonly prediction: Prediction }
  | { readonly ok: false; readonly code: UrlErrorCode; readonly message: string };

/**
 * Canonicalizes and scores URLs. Canonicalization is idempotent, so a canonical input scores exactly as in the
 * evaluation command.
 * @returns one ScoredUrl per input, in order
 * @throws whatever onnxruntime throws (the whole batch fails)
 */
export async function scoreBatch(scorer: Scorer, urls: readonly string[]): Promise<ScoredUrl[]> {
  const out = new Array<ScoredUrl>(urls.length);
  const valid: CanonicalUrl[] = [];
  const at: number[] = [];
  urls.forEach((u, i) => {
    try {
      valid.push(canonicalize(u));
      at.push(i);
    } catch (e) {
      if (!(e instanceof UrlError)) throw e;
      out[i] = { ok: false, code: e.code, message: e.message };
    }
  });
  const preds = valid.length > 0 ? await scorer.predict(valid) : [];
  preds.forEach((prediction, k) => {
    out[at[k]!] = { ok: true, prediction };
  });
  return out;
}
