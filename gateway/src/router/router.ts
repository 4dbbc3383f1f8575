/**
 * Which inference upstream scores a URL: {@link StaticRouter} (one upstream from config, outside a cluster) or
 * `TrafficRouter` (traffic-router.ts: stable/canary weights and mirroring from `PhishModel.status.traffic`, each
 * canonical URL assigned to an arm by a hash of it, so one URL always gets one arm and the cache stays consistent).
 */
import type { ModelDigest, PredictResponse } from '@phishnet/api';
import type { CheckedUrl } from '../domain/checked-url.ts';
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
  /** Scores checked URLs on this arm (the stable arm of a canary rollout also mirrors some of them). */
  score(urls: readonly CheckedUrl[]): Promise<PredictResponse>;
}

/** The one routing decision for a URL: the arm that scores it and the digest of that arm's model. */
export interface Route {
  readonly arm: Arm;
  /**
   * Model digest of the arm when the router knows it (cache lookups use it), or null: the cache uses the last digest
   * learned from inference.
   */
  readonly digest: ModelDigest | null;
}

export interface Router {
  /** The route of `url` (deterministic for a given traffic split). */
  route(url: CheckedUrl): Route;
  /** Every arm, the primary (stable/static) first, e.g. for readiness and shutdown. */
  arms(): readonly Arm[];
}

/** One upstream for every URL. */
export class StaticRouter implements Router {
  readonly #arm: Arm;
  readonly #route: Route;

  constructor(client: InferenceClient) {
    this.#arm = { track: 'static', client, score: (urls) => client.predict(urls.map((u) => u.href)) };
    this.#route = { arm: this.#arm, digest: null };
  }

  route(): Route {
    return this.#route;
  }

  arms(): readonly Arm[] {
    return [this.#arm];
  }
}
