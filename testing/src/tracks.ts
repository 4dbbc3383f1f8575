/**
 * Inference processes per track (stable/canary) for routing tests, and how many URLs each has scored, read from the
 * process's own /metrics (`phishnet_inference_verdicts_total`, one count per scored URL, labelled with its track).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceProc } from './process.ts';
import { startInference } from './services.ts';

/** Starts inference with PHISHNET_INFERENCE_TRACK=`track` and the given model artifact. */
export function startTrackedInference(track: 'stable' | 'canary', model: string): Promise<ServiceProc> {
  return startInference({ model, track });
}

/** URLs scored so far by an inference process: sum of its phishnet_inference_verdicts_total series. */
export async function inferenceUrlsScored(p: ServiceProc): Promise<number> {
  const text = await (await fetch(`${p.url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('phishnet_inference_verdicts_total{') || line.startsWith('phishnet_inference_verdicts_total ')) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

/**
 * A "bad canary" artifact for disagreement tests: the same model.onnx with manifest thresholds set to 0, so every URL
 * is `phishing`. Written as `<dir>/shifted.tar.gz` with the system `tar`; returns its path.
 */
export function shiftedArtifact(model: string, dir: string): string {
  const work = mkdtempSync(join(dir, 'shifted-'));
  execFileSync('tar', ['-xzf', model, '-C', work]);
  const manifestPath = join(work, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { thresholds: { suspicious: number; phishing: number } };
  manifest.thresholds = { suspicious: 0, phishing: 0 };
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const out = join(dir, 'shifted.tar.gz');
  // Every member of the artifact (model v2 also carries n-gram weights), with the edited manifest.
  execFileSync('tar', ['-czf', out, '-C', work, ...readdirSync(work).sort()]);
  return out;
}
