/** Messages between the extension's pages (popup, warning, options) and its service worker (`chrome.runtime`). */
import type { Expected, TabState } from './types.ts';

export type Request =
  /** The state of a tab (the popup's current page). Answer: TabState | null. */
  | { type: 'tab-state'; tabId: number }
  /** "Continue anyway": remember the URL's host as allowed, then the page navigates. Answer: { ok: true }. */
  | { type: 'proceed'; url: string }
  /** "Back to safety": leave the warning page. Answer: { ok: true }. */
  | { type: 'back-to-safety' }
  /** "Report a mistake". Answer: ReportAnswer. */
  | { type: 'report'; url: string; expected: Expected; comment?: string }
  /** The warning page asks why `url` was blocked (the verdict cached for it). Answer: TabState | null. */
  | { type: 'verdict-for'; url: string };

export interface ReportAnswer { ok: boolean; error?: string }
export type { TabState };
