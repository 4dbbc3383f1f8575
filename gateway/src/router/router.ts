/**
 * Which inference upstream scores a URL. Today a static upstream from config; the operator work extends this with
 * stable/canary weights and mirroring from `PhishModel.status.traffic` (assigning each canonical URL to an arm by a
 * hash of it, so one URL always gets one arm and the cache stays consistent).
 */
import type { InferenceClient } from '../upstream/inference-client.ts';

/** An upstream arm. */
export interface Arm {
  /** e.g. "static", later "stable" / "canary". */
  readonly track: string;
  readonly client: InferenceClient;
}

export interface Router {
  /** The arm that scores `canonicalUrl` (deterministic for a given traffic split). */
  route(canonicalUrl: string): Arm;
  /** Every arm, e.g. for readiness and shutdown. */
  arms(): readonly Arm[];
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
