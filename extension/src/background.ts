/**
 * The service worker: checks every top-level navigation, shows the badge, redirects phishing pages to the warning page,
 * answers the pages' messages and sends reports. State that must survive the worker being stopped (tab states, hosts
 * the user continued to) lives in `chrome.storage`.
 */
import { Checker, type CheckResult } from './core/checker.ts';
import { cacheKey } from './core/cache.ts';
import type { ReportAnswer, Request } from './core/messages.ts';
import { DEFAULT_SETTINGS, type Settings, type TabState, type TabStatus } from './core/types.ts';

/** Badge text and colour per tab status (badges hold about four characters; the title says it in full). */
const BADGE: Record<TabStatus, { text: string; color: string; title: string }> = {
  checking: { text: '…', color: '#6b7280', title: 'phishnet: checking this page' },
  safe: { text: 'safe', color: '#15803d', title: 'phishnet: no phishing found' },
  suspicious: { text: 'warn', color: '#b45309', title: 'phishnet: this page looks suspicious' },
  phishing: { text: '!', color: '#b91c1c', title: 'phishnet: phishing' },
  allowed: { text: 'skip', color: '#b91c1c', title: 'phishnet: phishing, but you chose to continue on this site' },
  'not-listed': { text: 'list', color: '#6b7280', title: 'phishnet (privacy mode): on no list; not sent to the model' },
  unchecked: { text: '?', color: '#6b7280', title: 'phishnet: unchecked (the gateway could not be reached)' },
  ignored: { text: '', color: '#6b7280', title: 'phishnet' },
};

const ALLOWED_HOSTS_KEY = 'allowedHosts';

let settings: Settings = { ...DEFAULT_SETTINGS };
const checker = new Checker({ settings });
const ready = loadSettings();

async function loadSettings(): Promise<void> {
  const s = (await chrome.storage.local.get('settings')).settings as Partial<Settings> | undefined;
  settings = { ...DEFAULT_SETTINGS, ...s };
  checker.configure(settings);
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.settings) void loadSettings();
});

/** Hosts the user chose "continue anyway" for (chrome.storage.local, never sent anywhere). */
async function allowedHosts(): Promise<string[]> {
  return ((await chrome.storage.local.get(ALLOWED_HOSTS_KEY))[ALLOWED_HOSTS_KEY] as string[] | undefined) ?? [];
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

const tabKey = (tabId: number) => `tab:${tabId}`;

/** The latest state of each tab, in memory (chrome.storage.session keeps it across service worker restarts). */
const states = new Map<number, TabState>();
/** Per-tab chain of badge updates, so that they apply in order and the last one shows the latest state. */
const badgeChains = new Map<number, Promise<void>>();

async function setTabState(tabId: number, state: TabState): Promise<void> {
  states.set(tabId, state);
  await chrome.storage.session.set({ [tabKey(tabId)]: state });
  await refreshBadge(tabId);
}

/**
 * Shows a tab's latest state on its badge (Chromium clears tab-specific badges when a new document commits, so this also
 * runs on commit). Updates are chained per tab and each reads the state when it runs: an update queued with an older
 * state can never overwrite a newer one.
 */
function refreshBadge(tabId: number): Promise<void> {
  const next = (badgeChains.get(tabId) ?? Promise.resolve()).then(async () => {
    const state = states.get(tabId);
    if (!state) return;
    const b = BADGE[state.status];
    await Promise.all([
      chrome.action.setBadgeText({ tabId, text: b.text }),
      chrome.action.setBadgeBackgroundColor({ tabId, color: b.color }),
      chrome.action.setTitle({ tabId, title: state.detail ? `${b.title} — ${state.detail}` : b.title }),
    ]).catch(() => undefined); // the tab may have closed
  });
  badgeChains.set(tabId, next);
  return next;
}

async function getTabState(tabId: number): Promise<TabState | null> {
  return ((await chrome.storage.session.get(tabKey(tabId)))[tabKey(tabId)] as TabState | undefined) ?? null;
}

/** Latest navigation per tab, so a slow answer for an older navigation does not overwrite a newer one. */
const latest = new Map<number, string>();
const warningPage = chrome.runtime.getURL('warning.html');

async function onNavigation(tabId: number, url: string): Promise<void> {
  if (url.startsWith(warningPage)) return;
  await ready;
  latest.set(tabId, url);
  if (cacheKey(url) === null) {
    await setTabState(tabId, { status: 'ignored', url, at: Date.now() });
    return;
  }
  await setTabState(tabId, { status: 'checking', url, at: Date.now() });
  const r: CheckResult = await checker.check(url);
  if (latest.get(tabId) !== url) return;
  let status: TabStatus = r.status;
  if (status === 'phishing') {
    const host = hostOf(url);
    if (host !== null && (await allowedHosts()).includes(host)) status = 'allowed';
  }
  const state: TabState = { status, url, at: Date.now(), ...(r.verdict ? { verdict: r.verdict } : {}), ...(r.detail ? { detail: r.detail } : {}) };
  await setTabState(tabId, state);
  if (status === 'phishing') {
    await chrome.tabs.update(tabId, { url: `${warningPage}?url=${encodeURIComponent(url)}` }).catch(() => undefined);
  }
}

chrome.webNavigation.onBeforeNavigate.addListener((d) => {
  if (d.frameId === 0) void onNavigation(d.tabId, d.url);
});
// A committed navigation cleared the tab's badge: show the state again (the check may have finished before the commit;
// the warning page shows the state of the page it replaced). After a service worker restart the state comes from
// chrome.storage.session.
chrome.webNavigation.onCommitted.addListener((d) => {
  if (d.frameId !== 0) return;
  void (async () => {
    if (!states.has(d.tabId)) {
      const stored = await getTabState(d.tabId);
      if (stored && !states.has(d.tabId)) states.set(d.tabId, stored);
    }
    const st = states.get(d.tabId);
    if (st && (st.url === d.url || d.url.startsWith(warningPage))) await refreshBadge(d.tabId);
  })();
});
chrome.tabs.onRemoved.addListener((tabId) => {
  latest.delete(tabId);
  states.delete(tabId);
  badgeChains.delete(tabId);
  void chrome.storage.session.remove(tabKey(tabId));
});

async function handle(msg: Request, sender: chrome.runtime.MessageSender): Promise<unknown> {
  await ready;
  switch (msg.type) {
    case 'tab-state':
      return getTabState(msg.tabId);
    case 'verdict-for': {
      const tabId = sender.tab?.id;
      const st = tabId !== undefined ? await getTabState(tabId) : null;
      if (st && st.url === msg.url) return st;
      const r = await checker.check(msg.url);
      return { status: r.status, url: msg.url, at: Date.now(), ...(r.verdict ? { verdict: r.verdict } : {}) } satisfies TabState;
    }
    case 'proceed': {
      const host = hostOf(msg.url);
      if (host !== null) {
        const hosts = await allowedHosts();
        if (!hosts.includes(host)) await chrome.storage.local.set({ [ALLOWED_HOSTS_KEY]: [...hosts, host] });
      }
      return { ok: true };
    }
    case 'back-to-safety': {
      const tabId = sender.tab?.id;
      // The new-tab page; browsers that refuse it to extensions (Firefox) get a blank page.
      if (tabId !== undefined) {
        await chrome.tabs.update(tabId, { url: 'chrome://newtab/' }).catch(() => chrome.tabs.update(tabId, { url: 'about:blank' })).catch(() => undefined);
      }
      return { ok: true };
    }
    case 'report':
      try {
        await checker.gateway.report(msg.url, msg.expected, msg.comment);
        return { ok: true } satisfies ReportAnswer;
      } catch (err) {
        return { ok: false, error: (err as Error).message } satisfies ReportAnswer;
      }
  }
}

/**
 * For debugging from the service worker's console (and the browser test, which reads it to know when new settings are
 * in effect): the settings in effect and the checker (cache, backoff).
 */
(globalThis as unknown as { phishnet: unknown }).phishnet = { get settings() { return settings; }, checker };

chrome.runtime.onMessage.addListener((msg: Request, sender, respond) => {
  handle(msg, sender).then(respond, (err: unknown) => respond({ ok: false, error: String(err) }));
  return true; // answer asynchronously
});
