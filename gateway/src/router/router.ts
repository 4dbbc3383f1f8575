/**
 * Which inference upstream scores a URL: {@link StaticRouter} (one upstream from config, outside a cluster) or
 * `TrafficRouter` (traffic-router.ts: stable/canary weights and mirroring from `PhishModel.status.traffic`, each
 * canonical URL assigned to an arm by a hash of it, so one URL always gets one arm and the cache stays consistent).
 */
import type { PredictResponse } from '@phishnet/inference/contract';
import type { InferenceClient, InferenceClientOptions } from '../upstream/inference-client.ts';

/** What the lookup path, /readyz and shutdown need of an upstream; {@link InferenceClient} implements it. */
export interface Upstream {
  readonly name: string;
  readonly opts: InferenceClientOptions;
  /** Scores canonical URLs; throws the client's typed errors (see InferenceClient.predict). */
  predict(urls: string[]): Promise<PredictResponse>;
  ready(timeoutMs?: number): Promise<{ ok: boolean; detail?: string }>;
  circuit(): 'closed' | 'half-open' | 'open';
  close(): Promise<void>;
}

/** An upstream arm. */
export interface Arm {
  /** "static", "stable" or "canary". The same track always has the same `client` object. */
  readonly track: string;
  readonly client: Upstream;
}

export interface Router {
  /** The arm that scores `canonicalUrl` (deterministic for a given traffic split). */
  route(canonicalUrl: string): Arm;
  /** Every arm, the primary (stable/static) first, e.g. for readiness and shutdown. */
  arms(): readonly Arm[];
  /**
   * Digest (`sha256:<hex>`) of the model that scores `canonicalUrl` when the router knows it (cache lookups use it),
   * or null / absent: the cache uses the last digest learned from inference.
   */
  digestFor?(canonicalUrl: string): string | null;
}

/** One upstream for every URL. */
export class StaticRouter implements Router {
  readonly #arm: Arm;

  constructor(client: InferenceClient) {
    this.#arm = { track: 'static', client };
  }

  route(): Arm {
    return this.#arm;
  }

  arms(): readonly Arm[] {
    return [this.#arm];
  }
}
