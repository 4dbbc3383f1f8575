/**
 * The gateway's public answer as the extension reads it, and the per-tab state the extension shows. The gateway's zod
 * schemas (`@phishnet/api` public.ts) are the source of truth; the extension reads only these fields and tolerates
 * any it does not know.
 */
import type { ReasonCode } from '@phishnet/api/reasons';

export type VerdictName = 'phishing' | 'suspicious' | 'legitimate';

/** Where a verdict came from: a list match (deny/allow) or the model. Absent on gateways without lists. */
export type VerdictSource = { kind: 'list'; list: string } | { kind: 'model' };

/** One verdict of `POST /api/check-url` / `check-urls` (fields the extension uses). */
export interface UrlVerdict {
  /** The canonical form of the URL the gateway scored. */
  canonicalUrl: string;
  verdict: VerdictName;
  /** Calibrated probability of phishing, 0..1. */
  score: number;
  /** Stable reason codes, most severe first (unknown codes are shown as they are). */
  reasons: (ReasonCode | (string & {}))[];
  model?: { name: string; version: string; digest: string };
  /** How long the client may reuse this verdict, seconds. */
  cacheTtlSeconds: number;
  source?: VerdictSource;
}

/**
 * What the extension knows about a tab's page:
 * - `checking`: a check is in flight;
 * - `safe` / `suspicious` / `phishing`: the gateway's (or, in privacy mode, a list's) verdict;
 * - `allowed`: phishing, but the user chose "continue anyway" for this host;
 * - `not-listed`: privacy mode, no list match, and the user did not allow sending the URL to the model;
 * - `unchecked`: no verdict (gateway unreachable, timed out, backing off, or not configured): the page loads (fail open);
 * - `ignored`: not an http(s) page.
 */
export type TabStatus = 'checking' | 'safe' | 'suspicious' | 'phishing' | 'allowed' | 'not-listed' | 'unchecked' | 'ignored';

export interface TabState {
  status: TabStatus;
  /** The page URL as navigated to. */
  url: string;
  verdict?: UrlVerdict;
  /** Why the page is unchecked (timeout, HTTP status, backing off…), in plain words. */
  detail?: string;
  /** Epoch ms of the check. */
  at: number;
}

/** Extension settings (chrome.storage.local key `settings`). */
export interface Settings {
  /** Base URL of the gateway, e.g. `https://phishnet.example`. */
  gatewayUrl: string;
  /** Sent as `X-API-Key` when not empty. Kept in extension storage only. */
  apiKey: string;
  /** Check URLs against the lists by hash prefixes only (no URL leaves the browser unless `privacySendToModel`). */
  privacyMode: boolean;
  /** In privacy mode: send URLs that match no list to the model (the full URL is sent). */
  privacySendToModel: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  gatewayUrl: 'http://127.0.0.1:8080',
  apiKey: '',
  privacyMode: false,
  privacySendToModel: false,
};

/** What a user says a verdict should have been (`POST /api/reports` `expected`). */
export type Expected = 'phishing' | 'legitimate';
